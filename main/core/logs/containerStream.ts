/**
 * One container's log stream: `GET pods/{pod}/log?timestamps=true` (and follow, previous, tailLines,
 * sinceSeconds), split into lines. While following, a dropped connection is opened again with `sinceTime` = the
 * last line's time and the cursor (logLines.ts) drops what comes back twice; a stream that ends (the container
 * stopped) is tried again with a growing pause, so a restarted container's new lines follow on.
 */
import type { IncomingMessage } from 'node:http';
import type { LogOptions, LogStreamState } from '../../../common/contract/logs.ts';
import { describeHttpFailure, describeNetworkError } from '../kube/apiErrors.ts';
import { LineSplitter, LogCursor, type TimedLine } from './logLines.ts';

/** Opens `GET /api/v1/namespaces/{ns}/pods/{pod}/log?{query}`; the response is whatever the server answered. */
export type LogRequest = (namespace: string, pod: string, query: URLSearchParams, signal: AbortSignal) => Promise<IncomingMessage>;

export interface ContainerStreamDeps {
  request: LogRequest;
  namespace: string;
  pod: string;
  container: string;
  options: LogOptions;
  onLines(lines: TimedLine[]): void;
  onState(state: LogStreamState): void;
  /** Pauses between attempts (ms); tests make them short. */
  backoffMs?: readonly number[];
}

const BACKOFF_MS = [500, 1000, 2000, 5000, 10_000];

export class ContainerStream {
  private readonly abort = new AbortController();
  private readonly cursor = new LogCursor();
  private attempt = 0;
  private state: LogStreamState;

  constructor(private readonly d: ContainerStreamDeps) {
    this.state = { pod: d.pod, container: d.container, state: 'connecting' };
  }

  get current(): LogStreamState {
    return this.state;
  }

  get closed(): boolean {
    return this.abort.signal.aborted;
  }

  /** Runs until the stream is done (not following) or closed. */
  async run(): Promise<void> {
    const follow = this.d.options.follow && !this.d.options.previous;
    let first = true;
    while (!this.closed) {
      const got = await this.once(first, follow);
      first = false;
      if (this.closed || !follow || got === 'fatal') return;
      // Lines came: the next pause starts short again; nothing came: it grows, up to 10 s.
      this.attempt = got === 'lines' ? 0 : this.attempt + 1;
      const backoff = this.d.backoffMs ?? BACKOFF_MS;
      await pause(backoff[Math.min(this.attempt, backoff.length - 1)], this.abort.signal);
    }
  }

  close(): void {
    this.abort.abort();
  }

  private setState(state: LogStreamState['state'], message?: string): void {
    if (this.closed) return;
    if (this.state.state === state && this.state.message === message) return;
    this.state = { pod: this.d.pod, container: this.d.container, state, ...(message ? { message } : {}) };
    this.d.onState(this.state);
  }

  /** One request: 'lines' when new lines came, 'none' when none did, 'fatal' when trying again cannot help. */
  private async once(first: boolean, follow: boolean): Promise<'lines' | 'none' | 'fatal'> {
    const o = this.d.options;
    const q = new URLSearchParams({ container: this.d.container, timestamps: 'true' });
    if (follow) q.set('follow', 'true');
    if (o.previous) q.set('previous', 'true');
    if (first) {
      if (o.tailLines !== undefined) q.set('tailLines', String(o.tailLines));
      if (o.sinceSeconds !== undefined) q.set('sinceSeconds', String(o.sinceSeconds));
    } else if (this.cursor.lastTime) q.set('sinceTime', this.cursor.lastTime);
    else if (o.sinceSeconds !== undefined) q.set('sinceSeconds', String(o.sinceSeconds));
    let res: IncomingMessage;
    try {
      res = await this.d.request(this.d.namespace, this.d.pod, q, this.abort.signal);
    } catch (err) {
      if (this.closed) return 'none';
      this.setState('reconnecting', describeNetworkError(err));
      return 'none';
    }
    const code = res.statusCode ?? 0;
    if (code !== 200) {
      const body = await readBody(res);
      const { message } = describeHttpFailure(code, body);
      // 400 while following (pending, waiting to start, no previous instance yet) and 5xx can change; 401/403/404 cannot.
      const fatal = !follow || code === 401 || code === 403 || code === 404;
      this.setState(code === 404 && !first ? 'ended' : 'error', message);
      return fatal ? 'fatal' : 'none';
    }
    this.setState('streaming');
    this.cursor.rewind();
    const split = new LineSplitter();
    let any = false;
    const deliver = (lines: TimedLine[]) => {
      const fresh = lines.filter((l) => this.cursor.admit(l));
      if (fresh.length) { any = true; this.d.onLines(fresh); }
    };
    const ended = await new Promise<'end' | 'drop'>((resolve) => {
      res.on('data', (c: Buffer) => deliver(split.push(c)));
      res.on('end', () => resolve('end'));
      res.on('aborted', () => resolve('drop'));
      res.on('error', () => resolve('drop'));
      res.on('close', () => resolve(res.complete ? 'end' : 'drop'));
    });
    if (ended === 'end') deliver(split.end());
    if (this.closed) return 'none';
    if (!follow) this.setState('ended');
    else if (ended === 'drop') this.setState('reconnecting', 'the log stream dropped; reconnecting');
    else this.setState('ended', 'the container stopped; following its next start');
    return any ? 'lines' : 'none';
  }
}

async function readBody(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const c of res as AsyncIterable<Buffer>) {
      size += c.length;
      if (size <= 64 * 1024) chunks.push(c);
    }
  } catch { /* what arrived */ }
  return Buffer.concat(chunks).toString('utf8');
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() { clearTimeout(t); signal.removeEventListener('abort', done); resolve(); }
    signal.addEventListener('abort', done);
  });
}
