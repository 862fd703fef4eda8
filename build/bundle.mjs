// Bundles the Node side: the Electron main process and preload (CommonJS, electron external)
// and the CLI (serve, cp) as ESM for plain Node. The renderer is built by Vite.
import { build } from 'esbuild';

const common = { bundle: true, platform: 'node', target: 'node22', sourcemap: true, logLevel: 'warning' };

await Promise.all([
  build({ ...common, entryPoints: ['main/app/main.ts'], outfile: 'dist/main/app.cjs', format: 'cjs', external: ['electron'] }),
  build({ ...common, entryPoints: ['preload/preload.ts'], outfile: 'dist/preload/preload.cjs', format: 'cjs', external: ['electron'] }),
  build({
    ...common,
    entryPoints: ['main/cli/cli.ts'],
    outdir: 'dist/cli',
    format: 'esm',
    // One chunk per command (cli.ts imports each on demand), and the packages bundled in: resolving
    // and wrapping client-node's ~1,000 files cost ~1 s of CPU at every `kubedeck cp` start (kubectl cp
    // does its whole copy of 20,000 small files in about that). Native and optional add-ons stay outside.
    splitting: true,
    external: ['bufferutil', 'utf-8-validate', 'cpu-features', 'ssh2'],
    // CommonJS packages inside an ES module bundle call require() for Node's own modules.
    banner: { js: "import { createRequire as __kdRequire } from 'node:module'; const require = __kdRequire(import.meta.url);" },
  }),
]);
