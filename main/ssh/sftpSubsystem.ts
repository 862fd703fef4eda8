/**
 * The `sftp` subsystem (sftp, scp in its default SFTP mode, sshfs, IDEs): one exec that runs the
 * image's own sftp-server when it has one — the real thing, with its paths, extensions and speed, the
 * raw channel piped through binary-clean — and otherwise says where its working directory is and exits,
 * and then SFTP is answered by commands in the container (sftpContainer.ts). A shell-less image gets
 * the distroless sentence, on stderr and as the status of every request.
 *
 * The channel is not read until the choice is made, so the client's INIT waits in the stream for
 * whichever side answers it. An sftp-server that exits before its first reply (e.g. "No user found for
 * uid" in an image run as a uid without a passwd entry) is replaced by the translation, replaying what
 * the client had sent.
 */
import { Readable } from 'node:stream';
import { ExecError } from '../core/kube/execStream.ts';
import { NO_SHELL_MESSAGE, looksLikeNoShell } from '../core/kube/noShell.ts';
import { kubeExec, type RemoteProcess } from '../core/kube/remoteProcess.ts';
import { runExec } from '../core/kube/runCollect.ts';
import { killRemoteTree } from '../core/terminals/shellProcess.ts';
import { finish, pipeBulk, type ChannelLike } from './channelUtil.ts';
import type { Login } from './gateway.ts';
import { routeName, type Route } from './route.ts';
import { ContainerFs } from './sftpContainer.ts';
import { STATUS } from './sftpCodec.ts';
import { serveSftp } from './sftpServer.ts';

/** Where images keep sftp-server (Debian/Ubuntu, Fedora/RHEL, Alpine, Arch, others), then PATH. */
const SFTP_SERVERS = ['/usr/lib/openssh/sftp-server', '/usr/libexec/openssh/sftp-server', '/usr/libexec/sftp-server',
  '/usr/lib/ssh/sftp-server', '/usr/lib/sftp-server', '/usr/sbin/sftp-server'];

/** Exit status meaning "no sftp-server here; my working directory is on stdout". */
const NONE = 97;

const START_SCRIPT = `for p in ${SFTP_SERVERS.join(' ')} "$(command -v sftp-server 2>/dev/null)"; do
  if [ -n "$p" ] && [ -x "$p" ]; then printf 'sftp-server %s\\n' "$$" >&2; exec "$p"; fi
done
pwd; exit ${NONE}`;

export interface SftpRequest {
  channel: ChannelLike;
  login: Login;
  target: Route;
}

export async function runSftp(req: SftpRequest): Promise<void> {
  const { channel, login, target } = req;
  const deps = login.deps;
  const kc = deps.kubeConfigFor(target.context);
  const audit = (kind: string, details: Record<string, unknown>) =>
    void deps.audit.append(kind, login.who, { target: routeName(target), ...details }).catch(() => undefined);
  channel.pause();
  channel.on('error', () => undefined);
  let p: RemoteProcess;
  try {
    p = await kubeExec(kc, target, { stdin: true })(['/bin/sh', '-c', START_SCRIPT]);
  } catch (err) {
    const message = (err as Error).message;
    const noShell = err instanceof ExecError && looksLikeNoShell(message);
    audit('ssh.sftp', { refused: noShell ? 'no shell' : message });
    return refuse(channel, noShell ? `SFTP needs a shell in the container. ${NO_SHELL_MESSAGE}` : message);
  }
  const first = await firstLine(p.stderr);
  const pid = /^sftp-server (\d+)$/.exec(first.line ?? '');
  if (pid) return passThrough(req, p, Number(pid[1]), first.rest, audit);
  p.stdin.end();
  const [res, out] = await Promise.all([p.done, readAll(p.stdout)]);
  const home = out.toString('utf8').trim();
  if (res.exitCode !== NONE || !home.startsWith('/')) {
    const said = [first.line, first.rest.toString('utf8')].filter(Boolean).join('\n').trim();
    const noShell = looksLikeNoShell(res.error, res.exitCode, said);
    audit('ssh.sftp', { refused: noShell ? 'no shell' : said || res.error });
    return refuse(channel, noShell ? `SFTP needs a shell in the container. ${NO_SHELL_MESSAGE}` : `SFTP could not start: ${said || res.error || `exit code ${res.exitCode}`}`);
  }
  await translate(req, home, audit, []);
}

/** SFTP by commands in the container; `replay`: bytes the client sent to an sftp-server that gave up. */
async function translate(req: SftpRequest, home: string, audit: (k: string, d: Record<string, unknown>) => void, replay: Buffer[]): Promise<void> {
  const { channel, login, target } = req;
  const kc = login.deps.kubeConfigFor(target.context);
  audit('ssh.sftp', { server: 'kubedeck', home });
  const fs = new ContainerFs({
    run: kubeExec(kc, target, { stdin: false, keepAliveMs: 0 }),
    stream: kubeExec(kc, target, { stdin: true }),
    home,
    audit: (kind, details) => audit(kind, details),
  });
  for (const b of replay.reverse()) channel.unshift(b);
  await serveSftp(channel, fs);
  // scp in SFTP mode exits 1 unless the session ends with status 0.
  finish(channel, 0);
}

/** The image's sftp-server, the raw channel piped both ways (stderr too: its own messages reach the user). */
async function passThrough(req: SftpRequest, p: RemoteProcess, pid: number, stderrRest: Buffer, audit: (k: string, d: Record<string, unknown>) => void): Promise<void> {
  const { channel, login, target } = req;
  audit('ssh.sftp', { server: 'sftp-server' });
  let clientGone = false;
  let exited = false;
  let answered = false;
  const sent: Buffer[] = [];
  const keep = (b: Buffer) => {
    if (!answered) sent.push(b);
  };
  channel.on('data', keep);
  p.stdout.once('data', () => {
    answered = true;
    sent.length = 0;
    channel.off('data', keep);
  });
  channel.on('close', () => {
    if (exited) return;
    clientGone = true;
    p.close();
    void killRemoteTree((cmd, o) => runExec(login.deps.kubeConfigFor(target.context), target, cmd, o), pid);
  });
  p.stdin.on('error', () => undefined);
  if (stderrRest.length) channel.stderr.write(stderrRest);
  channel.pipe(p.stdin);
  pipeBulk(p.stdout, channel, login.socket);
  p.stderr.pipe(channel.stderr, { end: false });
  channel.resume();
  const res = await p.done;
  await Promise.all([ended(p.stdout), ended(p.stderr)]);
  exited = true;
  if (clientGone) return;
  if (!answered) {
    // It never answered the client: serve the same session by commands instead.
    channel.unpipe(p.stdin);
    channel.off('data', keep);
    channel.pause();
    audit('ssh.sftp', { server: 'sftp-server', failed: res.error ?? `exit code ${res.exitCode}` });
    const home = await runExec(login.deps.kubeConfigFor(target.context), target, ['/bin/sh', '-c', 'pwd']).then((r) => r.stdout.trim()).catch(() => '/');
    return translate(req, home.startsWith('/') ? home : '/', audit, sent);
  }
  finish(channel, res.exitCode >= 0 ? res.exitCode : 1);
}

/** Says why on stderr, then answers the SFTP handshake and every request with the same sentence. */
function refuse(channel: ChannelLike, message: string): void {
  channel.stderr.write(`kubedeck: ${message}\r\n`);
  const fs = {
    handle: () => Promise.resolve({ status: STATUS.FAILURE, message }),
    closeAll: () => Promise.resolve(),
  };
  void serveSftp(channel, fs).then(() => finish(channel, 1));
  channel.resume();
}

function readAll(s: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  return new Promise((resolve) => {
    const done = () => resolve(Buffer.concat(parts));
    s.on('data', (b: Buffer) => parts.push(b));
    s.once('end', done);
    s.once('close', done);
    s.once('error', done);
  });
}

function ended(s: NodeJS.ReadableStream): Promise<void> {
  return new Promise((r) => {
    if ((s as Readable).readableEnded) return r();
    s.once('end', () => r());
    s.once('close', () => r());
    s.once('error', () => r());
  });
}

/** The first line of a stream (or undefined at its end) and the bytes read past it; the stream is paused after. */
function firstLine(s: Readable): Promise<{ line?: string; rest: Buffer }> {
  return new Promise((resolve) => {
    let head = Buffer.alloc(0);
    const done = (line: string | undefined, rest: Buffer) => {
      s.off('data', onData);
      s.off('end', onEnd);
      s.pause();
      resolve({ line, rest });
    };
    const onData = (b: Buffer) => {
      head = Buffer.concat([head, b]);
      const nl = head.indexOf(10);
      if (nl >= 0) done(head.subarray(0, nl).toString('utf8'), head.subarray(nl + 1));
      else if (head.length > 4096) done(undefined, head);
    };
    const onEnd = () => done(head.length ? head.toString('utf8') : undefined, Buffer.alloc(0));
    s.on('data', onData);
    s.on('end', onEnd);
  });
}
