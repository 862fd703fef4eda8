// `npm start` needs Electron's binary. npm 11 blocks dependency install scripts by default, so the
// electron package arrives without it; fetch it here, once, with electron's own installer.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const dir = dirname(require.resolve('electron/package.json'));
if (!existsSync(join(dir, 'path.txt'))) {
  console.log('kubedeck: fetching the Electron binary (once)…');
  const r = spawnSync(process.execPath, [join(dir, 'install.js')], { stdio: 'inherit' });
  if (r.status !== 0 || !existsSync(join(dir, 'path.txt'))) {
    console.error('kubedeck: Electron could not be fetched on this machine. Serve mode works without it: `npx kubedeck serve`.');
    process.exit(1);
  }
}
