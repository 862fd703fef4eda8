// Real SSH clients against `kubedeck serve --ssh-port` over the test clusters: a key pair made with
// ssh-keygen, an authorized_keys file, and the flags that keep OpenSSH from ever asking a question
// (tests have no terminal and no stdin). Every client runs under `timeout`: gateway bugs show up as hangs.
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { startServe, type RunningServe } from '../../main/cli/serveCommand.ts';
import { startTestClusters, type TestClusters } from '../cluster/index.ts';

const run = promisify(execFile);

export interface Harness {
  tc: TestClusters;
  serve: RunningServe;
  dir: string;
  port: number;
  key: string;
  /** Another key, not in authorized_keys. */
  strangerKey: string;
  knownHosts: string;
  /** Common OpenSSH options (non-interactive, our key, our known_hosts). */
  opts(key?: string): string[];
  /** Runs `ssh [args] -l user host cmd…` to completion. */
  ssh(user: string, args: string[], input?: Buffer | string, key?: string): Promise<Result>;
  spawnSsh(user: string, args: string[], key?: string): ChildProcess;
  authorizedKeysPath: string;
  stop(): Promise<void>;
}

export interface Result {
  code: number | null;
  stdout: Buffer;
  stderr: string;
}

export async function startHarness(opts: { clusters?: number; graceSeconds?: number; authorizedKeys?: (pub: string) => string } = {}): Promise<Harness> {
  const tc = await startTestClusters({ clusters: opts.clusters ?? 1 });
  const dir = await mkdtemp(join(tmpdir(), 'kd-ssh-'));
  try {
    return await startOn(tc, dir, opts);
  } catch (err) {
    // A half-started harness would leave the clusters (detached sandboxes) running and the test file hanging.
    await tc.stop().catch(() => undefined);
    await rm(dir, { recursive: true, force: true }).catch(() => undefined);
    throw err;
  }
}

/**
 * Runs a suite's `before` body and, when it fails, prints the whole error (stack and causes) on stderr
 * before rethrowing: the test runner's summary of a failed hook can lose the message in a CI log.
 */
export async function setUp<T>(what: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const parts: string[] = [];
    for (let e: unknown = err, i = 0; e !== undefined && i < 5; e = (e as { cause?: unknown }).cause, i++) {
      parts.push(e instanceof Error ? (e.stack ?? e.message) : String(e));
    }
    process.stderr.write(`\n${what} failed:\n${parts.join('\ncaused by: ')}\n`);
    throw new Error(`${what} failed: ${parts.map((p) => p.split('\n')[0]).join(' <- ')}`, { cause: err });
  }
}

async function startOn(tc: TestClusters, dir: string, opts: { graceSeconds?: number; authorizedKeys?: (pub: string) => string }): Promise<Harness> {
  const dataDir = join(dir, 'data');
  await run('mkdir', ['-p', dataDir]);
  await writeFile(join(dataDir, 'settings.json'), JSON.stringify({ 'terminals.graceSeconds': opts.graceSeconds ?? 2 }));
  const key = join(dir, 'id_ed25519');
  const strangerKey = join(dir, 'stranger');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'alice@laptop', '-f', key]);
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'mallory', '-f', strangerKey]);
  const pub = readFileSync(`${key}.pub`, 'utf8').trim();
  const authorizedKeysPath = join(dir, 'authorized_keys');
  await writeFile(authorizedKeysPath, (opts.authorizedKeys ?? ((p) => `${p}\n`))(pub));
  const serve = await startServe(
    { port: 0, host: '127.0.0.1', kubeconfig: tc.kubeconfigPath, sshPort: 0, sshAuthorizedKeys: authorizedKeysPath },
    { dataDir, ssh: { keepaliveMs: 300, keepaliveCountMax: 2 } },
  );
  const port = serve.ssh!.port;
  const knownHosts = join(dir, 'known_hosts');
  const common = (k = key) => [
    '-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${knownHosts}`, '-o', 'IdentitiesOnly=yes',
    '-o', 'LogLevel=ERROR', '-i', k, '-F', '/dev/null',
  ];
  const h: Harness = {
    tc, serve, dir, port, key, strangerKey, knownHosts, authorizedKeysPath,
    opts: common,
    spawnSsh: (user, args, k) => spawn('timeout', ['120', 'ssh', ...common(k), '-p', String(port), '-l', user, '127.0.0.1', ...args], { stdio: 'pipe' }),
    ssh: (user, args, input, k) => collect(spawn('timeout', ['120', 'ssh', ...common(k), '-p', String(port), '-l', user, '127.0.0.1', ...args], { stdio: 'pipe' }), input),
    stop: async () => {
      await serve.stop().catch(() => undefined);
      await tc.stop();
      // Retries: recordings of sessions that just ended may still be written as the folder goes.
      await rm(dir, { recursive: true, force: true, maxRetries: 5 });
    },
  };
  return h;
}

export function collect(child: ChildProcess, input?: Buffer | string): Promise<Result> {
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  child.stdout?.on('data', (b: Buffer) => out.push(b));
  child.stderr?.on('data', (b: Buffer) => err.push(b));
  child.stdin?.on('error', () => undefined);
  if (input !== undefined) child.stdin?.end(input);
  else child.stdin?.end();
  return new Promise((resolve) => {
    child.on('close', (code) => resolve({ code, stdout: Buffer.concat(out), stderr: Buffer.concat(err).toString('utf8') }));
  });
}
