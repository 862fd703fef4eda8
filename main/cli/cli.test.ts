// Usage errors as a user sees them: the CLI entry run as a child process, exit code 2 and the usage
// text on stderr, nothing on stdout.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { CP_USAGE } from './cp.ts';
import { SERVE_USAGE } from './serveCommand.ts';

const ROOT = join(import.meta.dirname, '../..');
const CLI_USAGE = 'usage: kubedeck serve [--port P] [--host H] [--kubeconfig FILE] [--token T] | kubedeck cp SRC DST';

function kubedeck(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', 'main/cli/cli.ts', ...args], { cwd: ROOT, env: { ...process.env, KUBECONFIG: '/nonexistent' } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr });
    });
  });
}

const cases: [args: string[], stderr: string][] = [
  [[], `kubedeck: no command\n${CLI_USAGE}\n`],
  [['frobnicate'], `kubedeck: unknown command frobnicate\n${CLI_USAGE}\n`],
  [['--bogus', 'serve'], `kubedeck: unknown option --bogus\n${CLI_USAGE}\n`],
  [['serve', '--frobnicate'], `kubedeck serve: unknown option "--frobnicate"\n${SERVE_USAGE}\n`],
  [['serve', '--port', 'http'], `kubedeck serve: --port must be a number from 0 to 65535, not "http"\n${SERVE_USAGE}\n`],
  [['serve', '--token', 'short'], `kubedeck serve: --token must be at least 16 characters\n${SERVE_USAGE}\n`],
  [['serve', '--kubeconfig'], `kubedeck serve: --kubeconfig needs a value\n${SERVE_USAGE}\n`],
  [['cp', 'only-one'], `kubedeck cp: need exactly SRC and DST\n${CP_USAGE}\n`],
  [['cp', '--bogus', 'a', 'b'], `kubedeck cp: unknown option --bogus\n${CP_USAGE}\n`],
  [['cp', './a', './b'], `kubedeck cp: exactly one of SRC and DST must be in a container (namespace/pod:/path)\n${CP_USAGE}\n`],
  [['cp', '--help'], `${CP_USAGE}\n`],
];

describe('kubedeck usage errors', () => {
  for (const [args, stderr] of cases) {
    it(`kubedeck ${args.join(' ') || '(nothing)'}`, async () => {
      const res = await kubedeck(...args);
      assert.equal(res.code, 2);
      assert.equal(res.stderr, stderr);
      assert.equal(res.stdout, '');
    });
  }
});
