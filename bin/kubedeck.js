#!/usr/bin/env node
// Entry point of `npx kubedeck serve|cp`. Runs the bundled CLI built by `npm run build`.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = fileURLToPath(new URL('../dist/cli/cli.js', import.meta.url));
if (!existsSync(cli)) {
  console.error('kubedeck: not built yet; run `npm run build` (npm install does it) in ' + fileURLToPath(new URL('..', import.meta.url)));
  process.exit(1);
}
await import(cli);
