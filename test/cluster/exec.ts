// pods/exec over WebSocket, the kubelet's side of the remotecommand protocols (channel.k8s.io, base64.channel.k8s.io,
// v4.channel.k8s.io, v5.channel.k8s.io). The process runs chroot'ed into the container's root; with tty under a real
// PTY (ptyhelper.py). Like containerd, a dropped stream never kills the process.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { constants } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Readable, Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { CONTAINER_PATH, resolveInRoot } from './images.ts';

export const SUPPORTED_PROTOCOLS = ['v5.channel.k8s.io', 'v4.channel.k8s.io', 'channel.k8s.io', 'base64.channel.k8s.io'];

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  root: string;
  command: string[];
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
  hostname: string;
  /** Host pid of the container's namespace init (its PID and mount namespaces hold every exec), if any. */
  nsPid?: number;
}

const HERE = dirname(fileURLToPath(import.meta.url));
export const PTY_HELPER = join(HERE, 'ptyhelper.py');
export const PYTHON = existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
export const CHROOT = existsSync('/usr/sbin/chroot') ? '/usr/sbin/chroot' : 'chroot';
export const NSENTER = existsSync('/usr/bin/nsenter') ? '/usr/bin/nsenter' : 'nsenter';
const HIGH_WATER = 8 << 20;
const LOW_WATER = 1 << 20;
const STDIN_BUFFER = 4 << 20;
/** How long a tty exec waits for the client's first resize before the command starts (so `stty size` is right). */
const FIRST_RESIZE_WAIT_MS = 500;

const CH_STDIN = 0, CH_STDOUT = 1, CH_STDERR = 2, CH_ERROR = 3, CH_RESIZE = 4, CH_CLOSE = 255;

export class ExecSession {
  readonly finished: Promise<void>;
  private resolveFinished!: () => void;
  private child?: ChildProcess;
  private ctrl?: Writable;
  private clientGone = false;
  private stalled: boolean;
  private inFlight = 0;
  private outPaused = false;
  private size?: { cols: number; rows: number };
  private firstSize?: () => void;
  private readonly binary: boolean;
  private readonly v4: boolean;
  private readonly pendingIn: { data: Buffer; isBinary: boolean }[] = [];
  private stdinEnded = false;
  private stdinHeld = false;
  private readonly preSpawn: Buffer[] = [];

  constructor(private readonly ws: WebSocket, readonly protocol: string, private readonly req: ExecRequest, stalled: boolean) {
    this.stalled = stalled;
    this.binary = protocol !== 'base64.channel.k8s.io';
    this.v4 = protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io';
    this.finished = new Promise((r) => { this.resolveFinished = r; });
    ws.on('message', (data: Buffer, isBinary: boolean) => {
      if (this.stalled) { this.pendingIn.push({ data, isBinary }); return; }
      this.onMessage(data);
    });
    ws.on('close', () => this.onClientGone());
    ws.on('error', () => this.onClientGone());
    if (stalled) ws.pause();
    // First frame: an empty message on the lowest writable channel.
    const first = req.stdout ? CH_STDOUT : req.stderr && !req.tty ? CH_STDERR : CH_ERROR;
    this.sendFrame(first, Buffer.alloc(0));
    void this.run();
  }

  private async run(): Promise<void> {
    const { req } = this;
    const resolved = await resolveInRoot(req.root, req.command[0]);
    if (!resolved) {
      const cmd = req.command[0];
      const why = cmd.includes('/') ? `exec: "${cmd}": stat ${cmd}: no such file or directory` : `exec: "${cmd}": executable file not found in $PATH`;
      const message = `Internal error occurred: error executing command in container: failed to exec in container: failed to start exec "${randomBytes(32).toString('hex')}": OCI runtime exec failed: exec failed: unable to start container process: ${why}: unknown`;
      this.finish({ metadata: {}, status: 'Failure', message, reason: 'InternalError', details: { causes: [{ message }] }, code: 500 }, message);
      return;
    }
    const env: Record<string, string> = { PATH: CONTAINER_PATH, HOSTNAME: req.hostname, HOME: '/root' };
    if (req.tty) {
      env.TERM = 'xterm';
      if (!this.size && !this.clientGone) {
        await new Promise<void>((r) => {
          const t = setTimeout(r, FIRST_RESIZE_WAIT_MS);
          this.firstSize = () => { clearTimeout(t); r(); };
        });
      }
      this.firstSize = undefined;
      const { cols, rows } = this.size ?? { cols: 80, rows: 24 };
      this.child = spawn(PYTHON, [PTY_HELPER, req.root, '/', String(cols), String(rows), String(req.nsPid ?? 0), resolved, ...req.command], {
        stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true, env,
      });
      this.ctrl = this.child.stdio[3] as Writable;
      this.ctrl.on('error', () => undefined);
    } else {
      const chroot = [CHROOT, '--', req.root, ...req.command];
      const argv = req.nsPid ? [NSENTER, '-t', String(req.nsPid), '-p', '-m', '-n', '--', ...chroot] : chroot;
      this.child = spawn(argv[0], argv.slice(1), {
        stdio: [req.stdin ? 'pipe' : 'ignore', req.stdout ? 'pipe' : 'ignore', req.stderr ? 'pipe' : 'ignore'],
        detached: true, env, cwd: '/',
      });
    }
    const child = this.child;
    child.stdin?.on('error', () => undefined);
    for (const b of this.preSpawn.splice(0)) child.stdin?.write(b);
    if (this.stdinEnded || this.clientGone) child.stdin?.end();
    this.pump(child.stdout, CH_STDOUT);
    // under a tty, stderr of the helper is only the helper's own errors; forward them as terminal output
    this.pump(child.stderr, req.tty ? CH_STDOUT : CH_STDERR);
    if (this.stalled) this.stall(true);
    child.on('error', (e) => {
      const message = `Internal error occurred: error executing command in container: ${e.message}`;
      this.finish({ metadata: {}, status: 'Failure', message, reason: 'InternalError', code: 500 }, message);
    });
    child.on('close', (code, signal) => {
      const exitCode = code ?? (signal ? 128 + (constants.signals[signal] ?? 15) : 1);
      if (exitCode === 0) { this.finish({ metadata: {}, status: 'Success' }); return; }
      const message = `command terminated with non-zero exit code: error executing command [${req.command.join(' ')}], exit code ${exitCode}`;
      this.finish({ metadata: {}, status: 'Failure', message, reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(exitCode) }] } }, message);
    });
  }

  private pump(stream: Readable | null | undefined, channel: number): void {
    if (!stream) return;
    stream.on('data', (chunk: Buffer) => {
      if (this.clientGone) return; // keep draining so the process never blocks on a vanished client
      this.sendFrame(channel, chunk);
    });
    stream.on('error', () => undefined);
  }

  private sendFrame(channel: number, data: Buffer): void {
    if (this.clientGone || this.ws.readyState !== this.ws.OPEN) return;
    let frame: Buffer | string;
    if (this.binary) {
      const b = Buffer.allocUnsafe(data.length + 1);
      b[0] = channel;
      data.copy(b, 1);
      frame = b;
    } else {
      frame = String.fromCharCode(48 + channel) + data.toString('base64');
    }
    const n = frame.length;
    this.inFlight += n;
    this.ws.send(frame, { binary: this.binary }, () => {
      this.inFlight -= n;
      if (this.outPaused && this.inFlight < LOW_WATER) { this.outPaused = false; this.updateFlow(); }
    });
    if (!this.outPaused && this.inFlight > HIGH_WATER) { this.outPaused = true; this.updateFlow(); }
  }

  private updateFlow(): void {
    const c = this.child;
    if (!c) return;
    const hold = !this.clientGone && (this.stalled || this.outPaused);
    for (const s of [c.stdout, c.stderr]) {
      if (!s) continue;
      if (hold) s.pause(); else s.resume();
    }
  }

  private onMessage(raw: Buffer): void {
    let channel: number;
    let payload: Buffer;
    if (this.binary) {
      if (!raw.length) return;
      channel = raw[0];
      payload = raw.subarray(1);
    } else {
      const text = raw.toString('latin1');
      if (!text.length) return;
      channel = text.charCodeAt(0) - 48;
      payload = Buffer.from(text.slice(1), 'base64');
    }
    if (channel === CH_STDIN) {
      if (!this.req.stdin || this.stdinEnded) return;
      const stdin = this.child?.stdin;
      if (!this.child) { this.preSpawn.push(payload); return; }
      if (!stdin) return;
      // Buffer up to a few MiB for the process before holding the client back (fewer stalls on a busy machine).
      stdin.write(payload);
      if (stdin.writableLength > STDIN_BUFFER && !this.stdinHeld) {
        this.stdinHeld = true;
        this.ws.pause();
        stdin.once('drain', () => { this.stdinHeld = false; if (!this.stalled) this.ws.resume(); });
      }
    } else if (channel === CH_RESIZE) {
      for (const obj of parseObjects(payload.toString('utf8'))) {
        const lower: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(obj)) lower[k.toLowerCase()] = v;
        const cols = Number(lower.width), rows = Number(lower.height);
        if (!(cols > 0 && rows > 0)) continue;
        this.size = { cols, rows };
        this.ctrl?.write(`${cols} ${rows}\n`);
        this.firstSize?.();
      }
    } else if (channel === CH_CLOSE && this.protocol === 'v5.channel.k8s.io') {
      if (payload[0] === CH_STDIN) this.endStdin();
    }
  }

  private endStdin(): void {
    this.stdinEnded = true;
    this.child?.stdin?.end();
  }

  private onClientGone(): void {
    if (this.clientGone) return;
    this.clientGone = true;
    this.firstSize?.();
    // Like containerd: the process keeps running; its stdin sees EOF (a PTY stays open), its output is drained.
    this.child?.stdin?.end();
    this.updateFlow();
    if (!this.child || this.child.exitCode !== null || this.child.signalCode !== null) this.resolveFinished();
  }

  private finish(st: Record<string, unknown>, message?: string): void {
    if (!this.clientGone && this.ws.readyState === this.ws.OPEN) {
      if (this.v4) this.sendFrame(CH_ERROR, Buffer.from(JSON.stringify(st)));
      else if (st.status !== 'Success') this.sendFrame(CH_ERROR, Buffer.from(message ?? String(st.message)));
      this.ws.close(1000);
    }
    this.resolveFinished();
  }

  stall(on: boolean): void {
    this.stalled = on;
    if (on) this.ws.pause();
    else {
      const queued = this.pendingIn.splice(0);
      for (const m of queued) this.onMessage(m.data);
      this.ws.resume();
    }
    this.updateFlow();
  }

  kill(): void {
    const c = this.child;
    if (c?.pid && c.exitCode === null) {
      try { process.kill(-c.pid, 'SIGKILL'); } catch { try { c.kill('SIGKILL'); } catch { /* gone */ } }
    }
    this.resolveFinished();
  }
}


/** Parse one or more concatenated JSON objects ("{...}{...}" or newline separated). */
export function parseObjects(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let depth = 0, start = -1, inStr = false, esc = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inStr) {
      if (esc) esc = false; else if (c === '\\') esc = true; else if (c === '"') inStr = false;
      continue;
    }
    if (c === '"') inStr = true;
    else if (c === '{') { if (depth++ === 0) start = i; }
    else if (c === '}' && depth > 0 && --depth === 0) {
      try { out.push(JSON.parse(text.slice(start, i + 1))); } catch { /* ignore a bad object */ }
    }
  }
  return out;
}
