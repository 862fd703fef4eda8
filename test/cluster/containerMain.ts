// A container's main process — what pods/attach connects to (an ephemeral container's `sh`, started with stdin
// and a tty as `kubectl debug -it` asks). It runs in the container's namespaces like an exec, under a real PTY
// when the spec has tty; its output goes to whoever is attached and to the container log (onOutput, podLogs.ts). Attach speaks the exec channel protocols; the process
// outlives every attach stream, and when it exits each attached client gets a Success status, as from a kubelet.
import { spawn, type ChildProcess } from 'node:child_process';
import { constants } from 'node:os';
import type { Writable } from 'node:stream';
import type { WebSocket } from 'ws';
import { CHROOT, NSENTER, parseObjects, PTY_HELPER, PYTHON } from './exec.ts';
import { CONTAINER_PATH } from './images.ts';

export interface MainProcessSpec {
  root: string;
  /** Host pid of the container's namespace init. */
  nsPid?: number;
  /** The resolved program and its argv. */
  path: string;
  argv: string[];
  tty: boolean;
  stdin: boolean;
  hostname: string;
  /** Everything it writes to stdout and stderr (the container log), whoever is attached. */
  onOutput?: (data: Buffer) => void;
}

export interface AttachFlags { stdin: boolean; stdout: boolean; stderr: boolean; tty: boolean }

const CH_STDIN = 0, CH_STDOUT = 1, CH_STDERR = 2, CH_ERROR = 3, CH_RESIZE = 4;

export class ContainerMain {
  /** Resolves with the exit code (128+signal when killed). */
  readonly exited: Promise<number>;
  private readonly child: ChildProcess;
  private readonly ctrl?: Writable;
  private readonly clients = new Set<AttachClient>();
  private exitCode?: number;

  constructor(readonly spec: MainProcessSpec) {
    const env: Record<string, string> = { PATH: CONTAINER_PATH, HOSTNAME: spec.hostname, HOME: '/root', ...(spec.tty ? { TERM: 'xterm' } : {}) };
    if (spec.tty) {
      this.child = spawn(PYTHON, [PTY_HELPER, spec.root, '/', '80', '24', String(spec.nsPid ?? 0), spec.path, ...spec.argv],
        { stdio: ['pipe', 'pipe', 'pipe', 'pipe'], detached: true, env });
      this.ctrl = this.child.stdio[3] as Writable;
      this.ctrl.on('error', () => undefined);
    } else {
      const chroot = [CHROOT, '--', spec.root, ...spec.argv];
      const argv = spec.nsPid ? [NSENTER, '-t', String(spec.nsPid), '-p', '-m', '-n', '--', ...chroot] : chroot;
      this.child = spawn(argv[0], argv.slice(1), { stdio: [spec.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'], detached: true, env, cwd: '/' });
    }
    this.child.stdin?.on('error', () => undefined);
    this.child.stdout?.on('data', (d: Buffer) => { spec.onOutput?.(d); for (const c of this.clients) c.output(CH_STDOUT, d); });
    this.child.stderr?.on('data', (d: Buffer) => { spec.onOutput?.(d); for (const c of this.clients) c.output(spec.tty ? CH_STDOUT : CH_STDERR, d); });
    this.exited = new Promise((resolve) => {
      this.child.on('error', () => resolve(127));
      this.child.on('close', (code, signal) => resolve(code ?? (signal ? 128 + (constants.signals[signal] ?? 15) : 1)));
    });
    void this.exited.then((code) => {
      this.exitCode = code;
      for (const c of [...this.clients]) c.end();
      this.clients.clear();
    });
  }

  get running(): boolean { return this.exitCode === undefined; }

  /** Connect an upgraded attach stream to this process. */
  attach(ws: WebSocket, protocol: string, flags: AttachFlags): void {
    const client = new AttachClient(ws, protocol, flags, {
      input: (d) => { if (this.spec.stdin) this.child.stdin?.write(d); },
      resize: (cols, rows) => this.ctrl?.write(`${cols} ${rows}\n`),
      gone: () => this.clients.delete(client),
    });
    if (!this.running) { client.end(); return; }
    this.clients.add(client);
  }

  kill(): void {
    const pid = this.child.pid;
    if (pid && this.running) {
      try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ }
    }
  }
}

interface ClientDeps {
  input(data: Buffer): void;
  resize(cols: number, rows: number): void;
  gone(): void;
}

/** One attach stream: the exec framing (binary or base64 channels, the v4+ status on channel 3). */
class AttachClient {
  private readonly binary: boolean;
  private readonly v4: boolean;
  private open = true;

  constructor(private readonly ws: WebSocket, protocol: string, private readonly flags: AttachFlags, private readonly deps: ClientDeps) {
    this.binary = protocol !== 'base64.channel.k8s.io';
    this.v4 = protocol === 'v4.channel.k8s.io' || protocol === 'v5.channel.k8s.io';
    ws.on('message', (raw: Buffer) => this.onMessage(raw));
    ws.on('close', () => this.onGone());
    ws.on('error', () => this.onGone());
    this.send(flags.stdout ? CH_STDOUT : CH_ERROR, Buffer.alloc(0));
  }

  output(channel: number, data: Buffer): void {
    if (channel === CH_STDOUT && !this.flags.stdout) return;
    if (channel === CH_STDERR && !this.flags.stderr) return;
    this.send(channel, data);
  }

  /** The process exited: Success on the error channel, then a normal close. */
  end(): void {
    if (this.v4) this.send(CH_ERROR, Buffer.from(JSON.stringify({ metadata: {}, status: 'Success' })));
    if (this.ws.readyState === this.ws.OPEN) this.ws.close(1000);
    this.onGone();
  }

  private send(channel: number, data: Buffer): void {
    if (!this.open || this.ws.readyState !== this.ws.OPEN) return;
    if (this.binary) this.ws.send(Buffer.concat([Buffer.from([channel]), data]), { binary: true });
    else this.ws.send(String.fromCharCode(48 + channel) + data.toString('base64'));
  }

  private onMessage(raw: Buffer): void {
    let channel: number, payload: Buffer;
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
    if (channel === CH_STDIN && this.flags.stdin) this.deps.input(payload);
    else if (channel === CH_RESIZE) {
      for (const obj of parseObjects(payload.toString('utf8'))) {
        const lower = Object.fromEntries(Object.entries(obj).map(([k, v]) => [k.toLowerCase(), v]));
        const cols = Number(lower.width), rows = Number(lower.height);
        if (cols > 0 && rows > 0) this.deps.resize(cols, rows);
      }
    }
    // v5's close frame (255) half-closes stdin of one stream; the container's stdin stays open for the next attach.
  }

  private onGone(): void {
    if (!this.open) return;
    this.open = false;
    this.deps.gone();
  }
}
