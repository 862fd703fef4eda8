// The SFTP-speaking clients of Debian's packages against the gateway: OpenSSH's sftp (batch mode) and
// scp, sshfs, and the python ones (sftpPy.py). Each runs under `timeout`: a gateway bug is a hang.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collect, type Harness, type Result } from './sshHarness.ts';

export const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
export const shaOf = (file: string) => sha(readFileSync(file));

/** `sftp -b` with these lines (a leading `-` on a line tolerates its failure). */
export function sftpBatch(h: Harness, user: string, lines: string[], seconds = 120): Promise<Result> {
  const batch = join(h.dir, `batch-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  writeFileSync(batch, lines.join('\n') + '\n');
  return collect(spawn('timeout', [String(seconds), 'sftp', ...h.opts(), '-P', String(h.port), '-b', batch, `${user}@127.0.0.1`], { stdio: 'pipe' }));
}

/**
 * scp with our options; a remote side is written `R:path` and becomes 127.0.0.1:path. The user goes in
 * `-o User=`: scp takes a `/` before the `:` of user@host:path for a local path.
 */
export function scp(h: Harness, user: string, args: string[], seconds = 120): Promise<Result> {
  const a = args.map((x) => (x.startsWith('R:') ? `127.0.0.1:${x.slice(2)}` : x));
  return collect(spawn('timeout', [String(seconds), 'scp', ...h.opts(), '-o', `User=${user}`, '-P', String(h.port), ...a], { stdio: 'pipe' }));
}

/** sftpPy.py's scenario with paramiko or asyncssh; its JSON. */
export async function python(h: Harness, lib: 'paramiko' | 'asyncssh', user: string, remoteDir: string, localFile: string): Promise<Record<string, unknown>> {
  const script = join(import.meta.dirname, 'sftpPy.py');
  const r = await collect(spawn('timeout', ['120', '/usr/bin/python3', script, lib, '127.0.0.1', String(h.port), user, h.key, remoteDir, localFile], { stdio: 'pipe' }));
  if (r.code !== 0) throw new Error(`${lib} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout.toString('utf8')) as Record<string, unknown>;
}

/** Why sshfs cannot run here, or undefined when it can. */
export function sshfsMissing(): string | undefined {
  if (!existsSync('/dev/fuse')) return '/dev/fuse is absent';
  if (!existsSync('/usr/bin/sshfs')) return 'sshfs is not installed';
  return undefined;
}

/** Mounts user@gateway:remote on mountpoint (sshfs 3, foreground off: returns once mounted). */
export function sshfsMount(h: Harness, user: string, remote: string, mountpoint: string): Promise<Result> {
  const ssh = ['ssh', ...h.opts(), '-p', String(h.port)].map((s) => s.replace(/,/g, '\\,')).join(' ');
  return collect(spawn('timeout', ['60', 'sshfs', '-o', `ssh_command=${ssh}`, `${user}@127.0.0.1:${remote}`, mountpoint], { stdio: 'pipe' }));
}

export function unmount(mountpoint: string): Promise<Result> {
  return collect(spawn('timeout', ['30', 'fusermount', '-u', mountpoint], { stdio: 'pipe' }));
}
