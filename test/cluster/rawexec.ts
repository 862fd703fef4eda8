// A bare remotecommand WebSocket client for testing the test double's wire protocol itself (not Kubedeck's client).
import { request } from 'node:https';
import { WebSocket } from 'ws';
import type { TestCluster } from './cluster.ts';

export interface RawExecOptions {
  namespace?: string;
  pod: string;
  container?: string;
  command: string[];
  stdin?: boolean;
  stdout?: boolean;
  stderr?: boolean;
  tty?: boolean;
  protocols?: string[];
  token?: string;
  /** pods/exec (default) or pods/attach (command is then ignored). */
  verb?: 'exec' | 'attach';
}

export interface RawExec {
  ws: WebSocket;
  protocol: string;
  frames: { channel: number; data: Buffer }[];
  /** Everything received on a channel so far. */
  text(channel: number): string;
  send(channel: number, data: Buffer | string): void;
  /** Wait until some channel's text contains `s`. */
  waitFor(channel: number, s: string, timeoutMs?: number): Promise<void>;
  closed: Promise<{ code: number }>;
  /** The parsed channel-3 status (v4/v5), once closed. */
  status(): Record<string, unknown> | undefined;
}

export function execUrl(c: TestCluster, o: RawExecOptions): string {
  const q = new URLSearchParams();
  for (const cmd of o.command) q.append('command', cmd);
  if (o.container) q.set('container', o.container);
  for (const k of ['stdin', 'stdout', 'stderr', 'tty'] as const) {
    const v = o[k] ?? (k === 'stdout' || (k === 'stderr' && !o.tty));
    if (v) q.set(k, 'true');
  }
  return `wss://127.0.0.1:${c.port}/api/v1/namespaces/${o.namespace ?? 'default'}/pods/${o.pod}/${o.verb ?? 'exec'}?${q}`;
}

/** Open an exec; rejects with { status, body } when the server refuses the upgrade. */
export function rawExec(c: TestCluster, o: RawExecOptions): Promise<RawExec> {
  const protocols = o.protocols ?? ['v5.channel.k8s.io', 'v4.channel.k8s.io'];
  const ca = Buffer.from(c.caData, 'base64');
  const ws = new WebSocket(execUrl(c, o), protocols, {
    ca, headers: { Authorization: `Bearer ${o.token ?? c.token}` }, perMessageDeflate: false,
  });
  const frames: { channel: number; data: Buffer }[] = [];
  const waiters = new Set<() => void>();
  let b64 = false;
  const closed = new Promise<{ code: number }>((r) => ws.on('close', (code) => r({ code })));
  return new Promise((resolve, reject) => {
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (d: Buffer) => { body += d.toString(); });
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}: ${body}`), { status: res.statusCode, body })));
    });
    ws.on('error', reject);
    ws.on('message', (data: Buffer) => {
      if (b64) {
        const t = data.toString();
        frames.push({ channel: t.charCodeAt(0) - 48, data: Buffer.from(t.slice(1), 'base64') });
      } else frames.push({ channel: data[0], data: data.subarray(1) });
      for (const w of waiters) w();
    });
    ws.on('open', () => {
      b64 = ws.protocol === 'base64.channel.k8s.io';
      const text = (ch: number) => Buffer.concat(frames.filter((f) => f.channel === ch).map((f) => f.data)).toString();
      resolve({
        ws, protocol: ws.protocol, frames, text, closed,
        send(channel, data) {
          const b = Buffer.isBuffer(data) ? data : Buffer.from(data);
          if (b64) ws.send(String.fromCharCode(48 + channel) + b.toString('base64'));
          else ws.send(Buffer.concat([Buffer.from([channel]), b]));
        },
        waitFor(channel, s, timeoutMs = 10000) {
          return new Promise((res, rej) => {
            const check = () => {
              if (text(channel).includes(s)) { waiters.delete(check); clearTimeout(t); res(); }
            };
            const t = setTimeout(() => { waiters.delete(check); rej(new Error(`timed out waiting for ${JSON.stringify(s)} on channel ${channel}; got ${JSON.stringify(text(channel))}`)); }, timeoutMs);
            waiters.add(check);
            ws.once('close', () => { check(); if (waiters.has(check)) { waiters.delete(check); clearTimeout(t); rej(new Error(`closed before ${JSON.stringify(s)}; got ${JSON.stringify(text(channel))}`)); } });
            check();
          });
        },
        status() {
          const t = text(3);
          return t ? JSON.parse(t) as Record<string, unknown> : undefined;
        },
      });
    });
  });
}

/** GET a path of the cluster's API with its token; returns status and parsed body. */
export function apiGet(c: TestCluster, path: string,
  opts: { token?: string; accept?: string; method?: string; body?: unknown; contentType?: string } = {}): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const body = opts.body === undefined ? undefined : JSON.stringify(opts.body);
    const req = request({ host: '127.0.0.1', port: c.port, path, ca: Buffer.from(c.caData, 'base64'), method: opts.method ?? 'GET',
      headers: { ...(opts.token !== '' ? { Authorization: `Bearer ${opts.token ?? c.token}` } : {}), Accept: opts.accept ?? 'application/json',
        ...(body !== undefined ? { 'Content-Type': opts.contentType ?? 'application/strategic-merge-patch+json' } : {}) } }, (res) => {
      let text = '';
      res.on('data', (d: Buffer) => { text += d.toString(); });
      res.on('end', () => {
        let body: unknown = text;
        try { body = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode ?? 0, body });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Open a watch and collect its events (one JSON object per line). */
export function apiWatch(c: TestCluster, path: string): { events: { type: string; object: { metadata: { name: string; labels?: Record<string, string> } } }[]; close(): void; waitFor(pred: (e: { type: string; object: { metadata: { name: string } } }) => boolean, timeoutMs?: number): Promise<void> } {
  const events: { type: string; object: { metadata: { name: string } } }[] = [];
  const waiters = new Set<() => void>();
  let buf = '';
  const req = request({ host: '127.0.0.1', port: c.port, path, ca: Buffer.from(c.caData, 'base64'),
    headers: { Authorization: `Bearer ${c.token}` } }, (res) => {
    res.on('data', (d: Buffer) => {
      buf += d.toString();
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i);
        buf = buf.slice(i + 1);
        if (line.trim()) events.push(JSON.parse(line));
      }
      for (const w of waiters) w();
    });
    res.on('error', () => undefined);
  });
  req.on('error', () => undefined);
  req.end();
  return {
    events,
    close: () => req.destroy(),
    waitFor(pred, timeoutMs = 10000) {
      return new Promise((res, rej) => {
        const check = () => { if (events.some(pred)) { waiters.delete(check); clearTimeout(t); res(); } };
        const t = setTimeout(() => { waiters.delete(check); rej(new Error(`watch: timed out; events ${JSON.stringify(events.map((e) => [e.type, e.object.metadata.name]))}`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
  };
}
