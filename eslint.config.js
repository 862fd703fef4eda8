import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';

// The dependency direction of DESIGN.md, enforced: core is plain Node, the renderer sees only the
// contract's types, and only main/app and preload may import electron.
const noElectron = { name: 'electron', message: 'Only main/app and preload may import electron (DESIGN.md).' };

export default tseslint.config(
  { ignores: ['dist/**', '.tmp/**', 'docs/**', 'release/**', 'node_modules/**', 'renderer/**/*.svelte', '**/*.svelte.ts', 'test-results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['main/core/**', 'main/serve/**', 'main/cli/**', 'test/**'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/main/app/**', '**/renderer/**'], message: 'core and serve must not depend on the Electron shell or the renderer.' }],
      }],
    },
  },
  {
    files: ['renderer/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': ['error', {
        paths: [noElectron],
        patterns: [{ group: ['**/main/**'], message: 'The renderer talks only to the KubedeckApi contract in preload/.' }],
      }],
    },
  },
);
