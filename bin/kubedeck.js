#!/usr/bin/env node
// Entry point of `npx kubedeck serve|cp`. Runs the bundled CLI built by `npm run build`.
import { existsSync } from 'node:fs';
import module from 'node:module';

// V8's code cache on disk (Node ≥ 22.1): loading the CLI and client-node took ~1.2 s of CPU on every
// `kubedeck cp`, most of it compiling the same JavaScript again; with the cache a start costs a fraction.
module.enableCompileCache?.();
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('kubedeck: not built yet; run `npm run build` (npm install does it) in ' + fileURLToPath(new URL('..', import.meta.url)));
  process.exit(1);
}
await import(cli);
