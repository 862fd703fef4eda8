/**
 * The SSH gateway beside kubectl, in the same run: SFTP get and put of one big file (OpenSSH's `sftp
 * -b`) against `kubectl cp` of the same file, and `ssh host cat` of a big file against `kubectl exec …
 * cat`. `kubedeck serve --ssh-port` runs from the bench's bundle in its own process, as a user runs it.
 * Every transfer is sha256-checked (the container's copy through the test cluster's root folder).
 *
 * SFTP runs twice: on the "shell" pod, whose image has OpenSSH's sftp-server (the gateway pipes it), and
 * on "notar", which has none (the gateway answers SFTP with commands in the container). kubectl cp needs
 * tar, which notar lacks, so both are set against kubectl cp on "shell": same cluster, same disk.
 * Sizes: 1 GiB and 256 MiB (full), 64 and 32 MiB (--quick); --sftp-mib N sets the SFTP file's size.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { createReadStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Ctx } from './context.ts';
import { kubectlCp, type Target } from './kubectl.ts';
import { errText, mibps } from './measure.ts';
import { ensureBuild } from './serveProcess.ts';
import { log, MiB, run } from './proc.ts';
import { vsKubectl, type Row } from './report.ts';

async function sha256File(p: string): Promise<string> {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(p, { highWaterMark: 1 << 20 })) h.update(chunk as Buffer);
  return h.digest('hex');
}

interface Gateway {
  port: number;
  opts: string[];
  child: ChildProcess;
}

async function startGateway(ctx: Ctx, dir: string): Promise<Gateway> {
  const cli = await ensureBuild();
  mkdirSync(join(dir, 'data'), { recursive: true });
  const key = join(dir, 'id_ed25519');
  const keygen = await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'bench', '-f', key]);
  if (keygen.code !== 0) throw new Error(`ssh-keygen: ${keygen.stderr.trim()}`);
  await run('cp', [`${key}.pub`, join(dir, 'authorized_keys')]);
  const child = spawn(process.execPath, [cli, 'serve', '--port', '0', '--kubeconfig', ctx.clusters.kubeconfigPath, '--ssh-port', '0', '--ssh-authorized-keys', join(dir, 'authorized_keys')], {
    env: { ...process.env, KUBEDECK_DATA_DIR: join(dir, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let err = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-2000)));
  const port = await new Promise<number>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no SSH port printed within 30 s: ${err.trim()}`)), 30_000);
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      const m = out.match(/SSH gateway on port (\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kubedeck serve exited with ${code}: ${err.trim()}`));
    });
  });
  const opts = ['-o', 'BatchMode=yes', '-o', 'StrictHostKeyChecking=no', '-o', `UserKnownHostsFile=${join(dir, 'known_hosts')}`,
    '-o', 'IdentitiesOnly=yes', '-o', 'LogLevel=ERROR', '-i', key, '-F', '/dev/null'];
  return { port, opts, child };
}

/** Wall seconds of `sftp -b` with one command, from spawn to exit (the handshake included, as kubectl cp's start is). */
async function sftpOnce(g: Gateway, user: string, command: string, dir: string): Promise<number> {
  const batch = join(dir, 'batch');
  writeFileSync(batch, `${command}\n`);
  const r = await run('sftp', [...g.opts, '-P', String(g.port), '-b', batch, `${user}@127.0.0.1`], { timeoutMs: 1_800_000 });
  if (r.code !== 0) throw new Error(`sftp exited ${r.code}: ${r.stderr.trim().slice(0, 300)}`);
  return r.seconds;
}

/** Wall seconds and sha256 of a command's stdout read to its end (the bench process hashes both sides alike). */
function catOnce(cmd: string, args: string[]): Promise<{ seconds: number; sha: string; bytes: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const h = createHash('sha256');
    let bytes = 0;
    let err = '';
    child.stdout!.on('data', (b: Buffer) => {
      h.update(b);
      bytes += b.length;
    });
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (err = (err + d).slice(-1000)));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`${cmd} exited ${code}: ${err.trim()}`));
      resolve({ seconds: (performance.now() - t0) / 1000, sha: h.digest('hex'), bytes });
    });
  });
}

export async function sshSection(ctx: Ctx): Promise<Row[]> {
  const sftpBytes = ctx.sizes.sftpFile;
  const catBytes = ctx.sizes.sshCat;
  const work = join(ctx.tmp, 'ssh');
  mkdirSync(work, { recursive: true });
  const rows: Row[] = [];
  const shell: Target = { ...ctx.target, pod: 'shell', container: 'main' };
  const roots = {
    shell: await ctx.clusters.rootOf(shell.context, shell.namespace, 'shell', 'main'),
    notar: await ctx.clusters.rootOf(shell.context, shell.namespace, 'notar', 'main'),
  };
  const src = join(work, 'big.bin');
  log(`ssh: making a ${(sftpBytes / MiB).toFixed(0)} MiB file`);
  const gen = await run('sh', ['-c', `head -c ${sftpBytes} /dev/urandom > '${src}'`]);
  if (gen.code !== 0) throw new Error(`cannot write the test file: ${gen.stderr.trim()}`);
  const srcSha = await sha256File(src);
  const size = `${(sftpBytes / MiB).toFixed(0)} MiB`;
  let g: Gateway | undefined;
  let gWhy: string | undefined;
  try {
    g = await startGateway(ctx, work);
  } catch (e) {
    gWhy = `the SSH gateway did not start: ${errText(e)}`;
    log(gWhy);
  }
  try {
    // The downloads' sources, placed in each container's root (no tool involved).
    for (const root of Object.values(roots)) {
      mkdirSync(join(root, 'tmp/bench-ssh'), { recursive: true });
      await run('cp', [src, join(root, 'tmp/bench-ssh/src.bin')]);
    }
    // kubectl cp, up and down, on shell.
    const kc: Record<'up' | 'down', number | null> = { up: null, down: null };
    const kcWhy: string[] = [];
    for (const dir of ['up', 'down'] as const) {
      log(`ssh: kubectl cp ${size} ${dir}`);
      try {
        const back = join(work, 'kubectl-back.bin');
        const { seconds } = dir === 'up'
          ? await kubectlCp(shell, src, `${shell.namespace}/shell:/tmp/bench-ssh/kubectl-up.bin`)
          : await kubectlCp(shell, `${shell.namespace}/shell:/tmp/bench-ssh/src.bin`, back);
        const got = await sha256File(dir === 'up' ? join(roots.shell, 'tmp/bench-ssh/kubectl-up.bin') : back);
        if (got !== srcSha) throw new Error(`kubectl cp ${dir}: the copy's sha256 differs`);
        kc[dir] = mibps(sftpBytes, seconds);
      } catch (e) {
        kcWhy.push(errText(e));
      } finally {
        rmSync(join(work, 'kubectl-back.bin'), { force: true });
        rmSync(join(roots.shell, 'tmp/bench-ssh/kubectl-up.bin'), { force: true });
      }
    }
    for (const [pod, how] of [['shell', "the image's sftp-server"], ['notar', "Kubedeck's SFTP (no sftp-server in the image)"]] as const) {
      for (const dir of ['put', 'get'] as const) {
        let rate: number | null = null;
        let why = gWhy;
        if (g) {
          log(`ssh: sftp ${dir} ${size} on ${pod}`);
          const back = join(work, 'sftp-back.bin');
          const inPod = join(roots[pod], 'tmp/bench-ssh/sftp-up.bin');
          try {
            const seconds = await sftpOnce(g, `${shell.context}/${shell.namespace}/${pod}`, dir === 'put' ? `put ${src} /tmp/bench-ssh/sftp-up.bin` : `get /tmp/bench-ssh/src.bin ${back}`, work);
            const got = await sha256File(dir === 'put' ? inPod : back);
            if (got !== srcSha) throw new Error(`sftp ${dir}: the copy's sha256 differs`);
            rate = mibps(sftpBytes, seconds);
          } catch (e) {
            why = errText(e);
            log(`  ${why}`);
          } finally {
            rmSync(back, { force: true });
            rmSync(inPod, { force: true });
          }
        }
        const versus = dir === 'put' ? kc.up : kc.down;
        const note = [`sha256 checked; ${how}; kubectl cp ${dir === 'put' ? 'up' : 'down'} on shell`, why, ...kcWhy].filter(Boolean).join('; ');
        rows.push(vsKubectl(`ssh: SFTP ${dir} ${size} (${pod})`, 'MiB/s', rate, versus, 'higher', 0.8, note));
      }
    }
    // ssh host cat against kubectl exec … cat, both without a tty.
    const catMiB = `${(catBytes / MiB).toFixed(0)} MiB`;
    await run('sh', ['-c', `head -c ${catBytes} /dev/urandom > '${join(roots.shell, 'tmp/bench-ssh/cat.bin')}'`]);
    const want = createHash('sha256');
    for await (const c of createReadStream(join(roots.shell, 'tmp/bench-ssh/cat.bin'))) want.update(c as Buffer);
    const catSha = want.digest('hex');
    const rate = async (what: string, cmd: string, args: string[], why: string[]) => {
      log(`ssh: ${what} of ${catMiB}`);
      try {
        const r = await catOnce(cmd, args);
        if (r.bytes !== catBytes || r.sha !== catSha) throw new Error(`${what}: ${r.bytes} bytes, sha256 ${r.sha === catSha ? 'equal' : 'differs'}`);
        return mibps(catBytes, r.seconds);
      } catch (e) {
        why.push(errText(e));
        return null;
      }
    };
    const catWhy: string[] = gWhy ? [gWhy] : [];
    const kubectlRate = await rate('kubectl exec cat', 'kubectl', ['--kubeconfig', shell.kubeconfig, '--context', shell.context, 'exec', '-n', shell.namespace, 'shell', '-c', 'main', '--', 'cat', '/tmp/bench-ssh/cat.bin'], catWhy);
    const sshRate = g ? await rate('ssh host cat', 'ssh', [...g.opts, '-p', String(g.port), '-l', `${shell.context}/${shell.namespace}/shell`, '127.0.0.1', 'cat /tmp/bench-ssh/cat.bin'], catWhy) : null;
    rows.push(vsKubectl(`ssh: ssh host cat ${catMiB}`, 'MiB/s', sshRate, kubectlRate, 'higher', 1, ['sha256 checked; no tty on either side: kubectl exec … cat', ...catWhy].join('; ')));
  } finally {
    g?.child.kill('SIGTERM');
    for (const root of Object.values(roots)) rmSync(join(root, 'tmp/bench-ssh'), { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  }
  return rows;
}
