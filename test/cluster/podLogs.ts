// pods/log as the kubelet and API server serve it: each container instance's stdout and stderr recorded line by
// line with the time it was read (the CRI log file's timestamp), and `GET pods/{name}/log` with follow, previous,
// sinceSeconds/sinceTime, timestamps, tailLines and limitBytes, failing with the API server's wording.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { ApiError, badRequest, notFound, status } from './apiStatus.ts';
import { queryBool } from './queryBool.ts';
import type { PodRecord } from './resources.ts';

export interface LogEntry {
  /** Nanoseconds since the epoch. */
  ns: bigint;
  /** The line with its newline (a last partial line has none). */
  text: Buffer;
}

// Wall clock with nanosecond digits: ms from Date, the rest from hrtime, never going backwards, so two lines read
// in the same millisecond keep their order in a timestamp sort (as CRI log files keep theirs).
let lastNs = 0n;
function nowNs(): bigint {
  const ms = BigInt(Date.now()) * 1_000_000n;
  const sub = process.hrtime.bigint() % 1_000_000n;
  const ns = ms + sub > lastNs ? ms + sub : lastNs + 1n;
  lastNs = ns;
  return ns;
}

/** Go's time.RFC3339Nano in UTC: trailing zeros of the fraction dropped (and the dot with them). */
export function rfc3339Nano(ns: bigint): string {
  const iso = new Date(Number(ns / 1_000_000n)).toISOString().slice(0, 19);
  const frac = (ns % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${iso}${frac ? `.${frac}` : ''}Z`;
}

/** Parses RFC3339 with an optional fraction of up to 9 digits (what metav1.Time accepts in a query). */
export function parseRfc3339(s: string): bigint | undefined {
  const m = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) return undefined;
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) return undefined;
  return BigInt(ms) * 1_000_000n + BigInt((m[2] ?? '').padEnd(9, '0') || '0');
}

/** The log of one container instance: complete lines as they were read, and followers waiting for more. */
export class ContainerLog {
  readonly entries: LogEntry[] = [];
  private partial = Buffer.alloc(0);
  private readonly followers = new Set<() => void>();
  ended = false;

  /** Bytes the process wrote to stdout or stderr: every complete line becomes an entry. */
  write(data: Buffer): void {
    let buf = this.partial.length ? Buffer.concat([this.partial, data]) : data;
    let nl: number;
    while ((nl = buf.indexOf(0x0a)) >= 0) {
      this.entries.push({ ns: nowNs(), text: Buffer.from(buf.subarray(0, nl + 1)) });
      buf = buf.subarray(nl + 1);
    }
    this.partial = Buffer.from(buf);
    if (this.entries.length) this.wake();
  }

  /** The instance exited: a last partial line is kept as it is, and every follow stream ends. */
  end(): void {
    if (this.ended) return;
    if (this.partial.length) this.entries.push({ ns: nowNs(), text: this.partial });
    this.partial = Buffer.alloc(0);
    this.ended = true;
    this.wake();
  }

  /** Calls `fn` on the next change (a line or the end); returns the cancel. */
  onChange(fn: () => void): () => void {
    this.followers.add(fn);
    return () => this.followers.delete(fn);
  }

  private wake(): void {
    for (const f of [...this.followers]) f();
  }
}

/** A container's logs: the running (or last) instance and the one before it, as a kubelet keeps them. */
export interface ContainerLogs {
  current: ContainerLog;
  previous?: ContainerLog;
}

export interface PodLogDeps {
  pod(namespace: string, name: string): PodRecord | undefined;
  logs(namespace: string, pod: string, container: string): ContainerLogs | undefined;
}

export interface LogOptions {
  follow: boolean;
  timestamps: boolean;
  sinceNs?: bigint;
  tailLines?: number;
  limitBytes?: number;
}

/** The query of a log request, checked as the API server validates PodLogOptions. */
export function logOptions(q: URLSearchParams): LogOptions & { container: string; previous: boolean } {
  const int = (key: string, min: number): number | undefined => {
    const v = q.get(key);
    if (v === null) return undefined;
    const n = Number(v);
    if (!/^-?\d+$/.test(v) || !Number.isSafeInteger(n)) throw badRequest(`strconv.ParseInt: parsing "${v}": invalid syntax`);
    if (n < min) throw invalidOptions(`${key}: Invalid value: ${n}: must be ${min === 0 ? 'greater than or equal to 0' : 'greater than 0'}`);
    return n;
  };
  const sinceSeconds = int('sinceSeconds', 1);
  const tailLines = int('tailLines', 0);
  const limitBytes = int('limitBytes', 1);
  const sinceTime = q.get('sinceTime');
  if (sinceSeconds !== undefined && sinceTime !== null) throw invalidOptions('sinceSeconds: Forbidden: at most one of sinceTime or sinceSeconds may be specified');
  let sinceNs: bigint | undefined;
  if (sinceTime !== null) {
    sinceNs = parseRfc3339(sinceTime);
    if (sinceNs === undefined) throw badRequest(`parsing time "${sinceTime}" as "2006-01-02T15:04:05Z07:00": cannot parse "${sinceTime}" as "2006"`);
  } else if (sinceSeconds !== undefined) sinceNs = BigInt(Date.now() - sinceSeconds * 1000) * 1_000_000n;
  return { container: q.get('container') ?? '', previous: queryBool(q, 'previous'), follow: queryBool(q, 'follow'),
    timestamps: queryBool(q, 'timestamps'), sinceNs, tailLines, limitBytes };
}

const invalidOptions = (detail: string) => new ApiError(status(422, 'Invalid', `PodLogOptions "" is invalid: ${detail}`, { kind: 'PodLogOptions', causes: [] }));

/** GET /api/v1/namespaces/{ns}/pods/{name}/log */
export async function servePodLog(d: PodLogDeps, namespace: string, name: string, req: IncomingMessage, res: ServerResponse, q: URLSearchParams): Promise<void> {
  const opts = logOptions(q);
  const pod = d.pod(namespace, name);
  if (!pod) throw notFound('pods', name);
  const spec = pod.object.spec as { containers: { name: string }[]; ephemeralContainers?: { name: string }[]; nodeName?: string };
  const containers = spec.containers.map((c) => c.name);
  const ephemeral = (spec.ephemeralContainers ?? []).map((c) => c.name);
  let container = opts.container;
  if (!container) {
    if (containers.length !== 1) throw badRequest(`a container name must be specified for pod ${name}, choose one of: [${containers.join(' ')}]`);
    container = containers[0];
  } else if (!containers.includes(container) && !ephemeral.includes(container)) {
    throw badRequest(`container ${container} is not valid for pod ${name}`);
  }
  if (!spec.nodeName) throw badRequest(`pod ${name} does not have a host assigned`);
  const logs = d.logs(namespace, name, container);
  if (!logs) throw badRequest(`container "${container}" in pod "${name}" is waiting to start: ContainerCreating`);
  const log = opts.previous ? logs.previous : logs.current;
  if (!log) throw badRequest(`previous terminated container "${container}" in pod "${name}" not found`);
  await streamLog(log, opts, req, res);
}

/** Writes a log's lines as the kubelet does: the tail, then what is new while following, until the instance ends or the client goes. */
export async function streamLog(log: ContainerLog, opts: LogOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  res.writeHead(200, { 'content-type': 'text/plain', 'cache-control': 'no-cache, private' });
  let budget = opts.limitBytes ?? Infinity;
  let next = opts.tailLines !== undefined ? Math.max(0, log.entries.length - opts.tailLines) : 0;
  let gone = false;
  const onGone = () => { gone = true; wake?.(); };
  req.on('close', onGone);
  res.on('close', onGone);
  let wake: (() => void) | undefined;
  const drain = (): boolean => {
    const chunks: Buffer[] = [];
    for (; next < log.entries.length && budget > 0; next++) {
      const e = log.entries[next];
      if (opts.sinceNs !== undefined && e.ns < opts.sinceNs) continue;
      let text = opts.timestamps ? Buffer.concat([Buffer.from(`${rfc3339Nano(e.ns)} `), e.text]) : e.text;
      if (text.length > budget) text = text.subarray(0, budget);
      budget -= text.length;
      chunks.push(text);
    }
    if (!chunks.length) return true;
    return res.write(Buffer.concat(chunks));
  };
  try {
    drain();
    while (opts.follow && !gone && budget > 0 && !(log.ended && next >= log.entries.length)) {
      await new Promise<void>((resolve) => {
        const cancel = log.onChange(() => { cancel(); resolve(); });
        wake = () => { cancel(); resolve(); };
      });
      wake = undefined;
      if (gone) break;
      // A client that reads slowly makes this wait for its socket, as an HTTP/2 stream's flow control would.
      if (!drain() && !gone) await new Promise<void>((resolve) => { res.once('drain', resolve); res.once('close', resolve); });
    }
  } finally {
    req.off('close', onGone);
    if (!res.writableEnded && !res.destroyed) res.end();
  }
}
