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
    outfile: 'dist/cli/cli.js',
    format: 'esm',
    packages: 'external',
  }),
]);
