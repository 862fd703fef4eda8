/**
 * `ssh host cmd` without a pty: an exec of `sh -c cmd` straight through the exec WebSocket (not the
 * session host: there is no screen to keep), stdout and stderr apart, the exit status passed on, and
 * binary-clean with backpressure both ways (Node streams over the exec, piped into the SSH channel).
 *
 * The shell announces its pid on stderr first (stripped before the client sees stderr), so that a client
 * that vanishes mid-command gets the command's process tree killed, as a tab's would: runtimes keep an
 * exec'd process running when its stream drops.
 */
import { Transform, type TransformCallback } from 'node:stream';
import { ExecError } from '../core/kube/execStream.ts';
import { NO_SHELL_MESSAGE, looksLikeNoShell } from '../core/kube/noShell.ts';
import { kubeExec, type RemoteProcess } from '../core/kube/remoteProcess.ts';
import { runExec } from '../core/kube/runCollect.ts';
import { killRemoteTree } from '../core/terminals/shellProcess.ts';
import { fail, finish, pipeBulk, type ChannelLike } from './channelUtil.ts';
import type { Login } from './gateway.ts';
import { routeName, type Route } from './route.ts';

/** `$$` is kept by `exec`, so the pid announced is the command's. */
const PID_WRAP = 'printf "%s\\n" "$$" >&2; exec /bin/sh -c "$1"';

export interface CommandRequest {
  channel: ChannelLike;
  login: Login;
  target: Route;
  command: string;
}

export async function runCommand(req: CommandRequest): Promise<void> {
  const { channel, login, target } = req;
  const deps = login.deps;
  const audit = (details: Record<string, unknown>) =>
    void deps.audit.append('ssh.exec', login.who, { target: routeName(target), command: req.command, ...details }).catch(() => undefined);
  let p: RemoteProcess;
  try {
    const kc = deps.kubeConfigFor(target.context);
    p = await kubeExec(kc, target, { stdin: true })(['/bin/sh', '-c', PID_WRAP, 'kubedeck', req.command]);
  } catch (err) {
    const message = (err as Error).message;
    audit({ refused: message });
    return fail(channel, err instanceof ExecError && looksLikeNoShell(message) ? NO_SHELL_MESSAGE : message);
  }
  const pid = new PidLine();
  let clientGone = false;
  let exited = false;
  channel.on('error', () => undefined);
  channel.on('close', () => {
    if (exited) return;
    clientGone = true;
    p.close();
    // The client vanished before the command ended: kill what it left running.
    void pid.known.then((n) => killRemoteTree((cmd, o) => runExec(deps.kubeConfigFor(target.context), target, cmd, o), n));
  });
  p.stdin.on('error', () => undefined);
  channel.pipe(p.stdin);
  pipeBulk(p.stdout, channel, login.socket);
  p.stderr.pipe(pid).pipe(channel.stderr, { end: false });
  const drained = Promise.all([ended(p.stdout), ended(pid)]);
  const res = await p.done;
  await drained;
  exited = true;
  if (clientGone) return;
  if (res.exitCode >= 0) {
    audit({ exitCode: res.exitCode });
    if (pid.pid === undefined && res.exitCode !== 0 && looksLikeNoShell(res.error, res.exitCode, pid.text)) return fail(channel, NO_SHELL_MESSAGE);
    return finish(channel, res.exitCode);
  }
  audit({ error: res.error });
  const noShell = pid.pid === undefined && looksLikeNoShell(res.error, res.exitCode);
  fail(channel, noShell ? NO_SHELL_MESSAGE : `the command did not finish: ${res.error ?? 'the exec failed'}`);
}

function ended(s: NodeJS.ReadableStream): Promise<void> {
  return new Promise((r) => {
    s.once('end', () => r());
    s.once('close', () => r());
    s.once('error', () => r());
  });
}

/** Takes the first line of stderr (the pid) for itself and passes the rest through untouched. */
class PidLine extends Transform {
  /** The first line has been looked at. */
  private seen = false;
  /** The command's pid, once announced. */
  pid?: number;
  /** The first bytes of stderr when no pid came (a failed exec's own message). */
  text = '';
  private head = Buffer.alloc(0);
  private resolvePid!: (n: number | undefined) => void;
  readonly known = new Promise<number | undefined>((r) => (this.resolvePid = r));

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.seen) return cb(null, chunk);
    this.head = Buffer.concat([this.head, chunk]);
    const nl = this.head.indexOf(10);
    if (nl < 0 && this.head.length < 32) return cb();
    const line = nl < 0 ? '' : this.head.subarray(0, nl).toString('latin1');
    this.seen = true;
    if (/^\d+$/.test(line)) {
      this.pid = Number(line);
      this.resolvePid(this.pid);
      return cb(null, this.head.subarray(nl + 1));
    }
    this.resolvePid(undefined);
    this.text = this.head.toString('utf8');
    cb(null, this.head);
  }

  override _flush(cb: TransformCallback): void {
    if (!this.seen && this.head.length) {
      this.text = this.head.toString('utf8');
      this.push(this.head);
    }
    this.resolvePid(undefined);
    cb();
  }
}
