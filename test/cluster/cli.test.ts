// `npm run test-cluster` as a person uses it: ready line, a working kubeconfig, clean stop on SIGTERM/SIGINT.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { until } from '../util/wait.ts';
import { pidsUnder } from './sandbox.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const CLI = join(HERE, 'cli.ts');
const run = promisify(execFile);

function startCli(args: string[]) {
  const p = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  p.stdout.on('data', (d: Buffer) => { out += d.toString(); });
  p.stderr.on('data', (d: Buffer) => { out += d.toString(); });
  const exited = new Promise<number | null>((r) => p.on('exit', (code) => r(code)));
  return { p, exited, output: () => out };
}

const pidsWithRootUnder = async (prefix: string): Promise<number[]> => (await pidsUnder(prefix)).map((p) => p.pid);

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`serves until ${signal}, then stops every process and removes its roots`, async () => {
    const dir = await mkdtemp(join(tmpdir(), 'kd-cli-'));
    const kubeconfig = join(dir, 'kd.yaml');
    const cli = startCli(['--kubeconfig', kubeconfig, '--clusters', '1']);
    try {
      await until('the ready line', () => /ready/.test(cli.output()), 60_000, 100);
      assert.match(cli.output(), /test-cluster ready: 1 cluster\(s\)/);
      const kc = await readFile(kubeconfig, 'utf8');
      assert.match(kc, /name: kd-test-1/);
      const { stdout } = await run('kubectl', ['--kubeconfig', kubeconfig, 'exec', 'shell', '--', 'sh', '-c', 'sleep 300 >/dev/null 2>&1 & echo started'],
        { env: { ...process.env, HOME: dir } });
      assert.equal(stdout, 'started\n');
      let ownRoot = '';
      for (const n of (await readdir(tmpdir())).filter((x) => x.startsWith('kd-test-clusters-'))) {
        const owner = Number(await readFile(join(tmpdir(), n, 'owner.pid'), 'utf8').catch(() => '0'));
        if (owner === cli.p.pid) ownRoot = join(tmpdir(), n);
      }
      assert.ok(ownRoot, 'its temporary root exists while it serves');
      assert.ok((await pidsWithRootUnder(ownRoot)).length > 0, 'sleep 300 runs in the container');
      cli.p.kill(signal);
      assert.equal(await cli.exited, 0);
      assert.match(cli.output(), /test-cluster: stopped/);
      assert.ok(!existsSync(ownRoot), 'its temporary root is removed');
      assert.deepEqual(await pidsWithRootUnder(ownRoot), [], 'nothing runs in its containers any more');
    } finally {
      cli.p.kill('SIGKILL');
      await rm(dir, { recursive: true, force: true });
    }
  });
}

test('bad arguments: a clear message and exit code 2', async () => {
  const none = startCli([]);
  assert.equal(await none.exited, 2);
  assert.match(none.output(), /--kubeconfig FILE is required/);
  const bad = startCli(['--kubeconfig', '/tmp/x.yaml', '--clusters', 'two']);
  assert.equal(await bad.exited, 2);
  assert.match(bad.output(), /--clusters must be a whole number from 1 to 50, got "two"/);
});
