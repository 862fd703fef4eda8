/**
 * Terminal measurements that run the same way against any binding of the contract: the core in
 * process, or serve mode over its WebSocket. The caller acknowledges output as it arrives, as an
 * infinitely fast xterm would, so these numbers are the ceiling of the path below the renderer.
 */
import { sleep } from '../util/wait.ts';
import type { OpenTerminalRequest, TerminalInfo, TerminalState } from '../../common/contract/terminals.ts';

export interface TermClient {
  openTerminal(req: OpenTerminalRequest): Promise<TerminalInfo>;
  writeTerminal(id: string, data: string): Promise<void>;
  ackTerminal(id: string, bytes: number): Promise<void>;
  closeTerminal(id: string): Promise<void>;
  onData(cb: (id: string, data: Uint8Array) => void): () => void;
  onState(cb: (id: string, state: TerminalState) => void): () => void;
}

export type Where = Omit<OpenTerminalRequest, 'cols' | 'rows' | 'command'>;

const COLS = 120;
const ROWS = 40;

function failed(info: TerminalInfo): string | undefined {
  const s = info.state;
  if (s.state === 'error') return s.reason;
  if (s.state === 'disconnected') return s.reason;
  return undefined;
}

/** Runs `command` in a tty and counts its output; seconds from openTerminal to the exit state. */
export async function measureThroughput(c: TermClient, where: Where, command: string[], timeoutMs = 900_000): Promise<{ bytes: number; seconds: number; exitCode?: number }> {
  let id: string | undefined;
  let bytes = 0;
  const early: Uint8Array[] = [];
  let resolveExit!: (code: number) => void;
  let rejectExit!: (e: Error) => void;
  const exited = new Promise<number>((res, rej) => ((resolveExit = res), (rejectExit = rej)));
  const offData = c.onData((sid, data) => {
    if (id === undefined) {
      early.push(data);
      return;
    }
    if (sid !== id) return;
    bytes += data.length;
    void c.ackTerminal(id, data.length).catch(() => undefined);
  });
  const offState = c.onState((sid, st) => {
    if (sid !== id) return;
    if (st.state === 'exited') resolveExit(st.exitCode);
    else if (st.state === 'error' || st.state === 'disconnected') rejectExit(new Error(st.reason));
  });
  const timer = setTimeout(() => rejectExit(new Error(`no exit within ${timeoutMs / 1000} s (${bytes} bytes so far)`)), timeoutMs);
  const t0 = performance.now();
  try {
    const info = await c.openTerminal({ ...where, command, cols: COLS, rows: ROWS });
    id = info.id;
    const why = failed(info);
    if (why) throw new Error(why);
    if (info.state.state === 'exited') resolveExit(info.state.exitCode);
    // Output that raced the reply of openTerminal (serve mode can deliver it first).
    const lost = early.splice(0).reduce((n, d) => n + d.length, 0);
    bytes += lost;
    if (lost) void c.ackTerminal(id, lost).catch(() => undefined);
    const exitCode = await exited;
    return { bytes, seconds: (performance.now() - t0) / 1000, exitCode };
  } finally {
    clearTimeout(timer);
    offData();
    offState();
    if (id) await c.closeTerminal(id).catch(() => undefined);
  }
}

/** Waits until `pred(bytesSoFar)` or the timeout; resolves with the time it happened. */
class OutputWatch {
  private text = '';
  private waiters: { pred: (t: string) => boolean; res: (t: number) => void }[] = [];
  lastAt = 0;
  firstAt = 0;
  push(data: Uint8Array): void {
    const now = performance.now();
    if (!this.firstAt) this.firstAt = now;
    this.lastAt = now;
    this.text += Buffer.from(data).toString('latin1');
    if (this.text.length > 65536) this.text = this.text.slice(-32768);
    this.waiters = this.waiters.filter((w) => {
      if (!w.pred(this.text)) return true;
      w.res(now);
      return false;
    });
  }
  clear(): void {
    this.text = '';
  }
  until(pred: (t: string) => boolean, timeoutMs: number, what: string): Promise<number> {
    if (pred(this.text)) return Promise.resolve(performance.now());
    return new Promise((res, rej) => {
      const w = { pred, res: (t: number) => (clearTimeout(timer), res(t)) };
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        rej(new Error(`timed out waiting for ${what}`));
      }, timeoutMs);
      this.waiters.push(w);
    });
  }
  async quiet(ms: number, limitMs: number): Promise<void> {
    const end = performance.now() + limitMs;
    while (performance.now() < end) {
      await sleep(ms / 2);
      if (performance.now() - this.lastAt >= ms) return;
    }
  }
}

async function openWatched(c: TermClient, where: Where, command?: string[]) {
  const watch = new OutputWatch();
  const session: { id?: string } = {};
  const early: Uint8Array[] = [];
  const off = c.onData((sid, data) => {
    if (session.id === undefined) return void early.push(data);
    if (sid !== session.id) return;
    watch.push(data);
    void c.ackTerminal(sid, data.length).catch(() => undefined);
  });
  const t0 = performance.now();
  let info: TerminalInfo;
  try {
    info = await c.openTerminal({ ...where, command, cols: COLS, rows: ROWS });
  } catch (e) {
    off();
    throw e;
  }
  const id = (session.id = info.id);
  const why = failed(info);
  if (why) {
    off();
    await c.closeTerminal(id).catch(() => undefined);
    throw new Error(why);
  }
  for (const d of early.splice(0)) {
    watch.push(d);
    void c.ackTerminal(id, d.length).catch(() => undefined);
  }
  return { id, watch, t0, off, close: async () => (off(), await c.closeTerminal(id).catch(() => undefined)) };
}

/** Milliseconds from openTerminal (default shell) to its first output byte. */
export async function measureFirstPrompt(c: TermClient, where: Where, command?: string[]): Promise<number> {
  const t = await openWatched(c, where, command);
  try {
    const at = await t.watch.until((s) => s.length > 0, 30_000, 'the first prompt byte');
    return at - t.t0;
  } finally {
    await t.watch.quiet(100, 2000);
    await t.close();
  }
}

/** Echo latency (ms) of `keys` single keystrokes in the default shell, once its prompt is idle. */
export async function measureEcho(c: TermClient, where: Where, keys: number, command?: string[]): Promise<number[]> {
  const t = await openWatched(c, where, command);
  const lat: number[] = [];
  try {
    await t.watch.until((s) => s.length > 0, 30_000, 'the prompt');
    await t.watch.quiet(300, 5000);
    const letters = 'abcdefghijklmnopqrstuvwxyz';
    for (let i = 0; i < keys; i++) {
      if (i && i % 40 === 0) {
        // Ctrl-U empties the line so it never wraps; not timed.
        await c.writeTerminal(t.id, '\x15');
        await t.watch.quiet(50, 2000);
      }
      const ch = letters[i % letters.length];
      t.watch.clear();
      const t0 = performance.now();
      const seen = t.watch.until((s) => s.includes(ch), 10_000, `the echo of key ${i}`);
      await c.writeTerminal(t.id, ch);
      lat.push((await seen) - t0);
    }
    return lat;
  } finally {
    await t.close();
  }
}
