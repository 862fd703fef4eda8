import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import svelte from 'eslint-plugin-svelte';
import globals from 'globals';
import layering from './build/lint/layering.js';

// Lints every file kind of the repo, .svelte and .svelte.ts included. The layers and what each may import
// are one rule, `kubedeck/layers` (build/lint/layering.js); docs/ARCHITECTURE.md explains them.
export default tseslint.config(
  { ignores: ['dist/**', '.tmp/**', 'docs/**', 'release/**', 'node_modules/**', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  ...svelte.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    plugins: { kubedeck: layering },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'kubedeck/layers': 'error',
      // Reactive state holds Sets and Maps replaced whole (selected = new Set(...)), never mutated in place,
      // so SvelteSet/SvelteMap would add proxies for nothing.
      'svelte/prefer-svelte-reactivity': 'off',
    },
  },
  {
    files: ['**/*.svelte', '**/*.svelte.ts'],
    languageOptions: { parserOptions: { parser: tseslint.parser, extraFileExtensions: ['.svelte'] } },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
  },
  {
    // common/ runs everywhere: neither Node's globals nor the DOM's.
    files: ['common/**'],
    languageOptions: { globals: {} },
  },
);
