// Watches (?watch=true): a chunked response of one JSON event per line, from the current state or from a
// resourceVersion, with 410 Expired for one older than the event log. Streams can be stalled (fault injection):
// events queue until released, as on a connection that stops moving.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { status } from './apiStatus.ts';
import type { K8sObject, Resource, ResourceStore, WatchEvent } from './resources.ts';
import { selectorMatches } from './selectors.ts';
import { toTable } from './tables.ts';

interface Watcher {
  resource: Resource;
  namespace?: string;
  name?: string;
  /** Set only when the watch has a labelSelector: live events then pass the whole query's selectors. */
  selectors?: URLSearchParams;
  table: boolean;
  res: ServerResponse;
  queue: string[];
}

export interface WatchRequest {
  resource: Resource;
  table: boolean;
  q: URLSearchParams;
  namespace?: string;
}

export class WatchHub {
  private readonly watchers = new Set<Watcher>();
  private stalled = false;

  /** `store` is read for the state and history a new watch starts from. */
  constructor(private readonly store: Pick<ResourceStore, 'events' | 'current'>) {}

  /** An event just recorded: to every open watch it matches. */
  publish(ev: WatchEvent): void {
    for (const w of this.watchers) if (matches(w, ev)) this.sendEvent(w, ev);
  }

  serve(req: IncomingMessage, res: ServerResponse, o: WatchRequest): void {
    const { store } = this;
    const fs = o.q.get('fieldSelector') ?? '';
    const nameSel = /metadata\.name=([^,]+)/.exec(fs)?.[1];
    const w: Watcher = { resource: o.resource, namespace: o.namespace, name: nameSel, table: o.table, res, queue: [] };
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked', 'cache-control': 'no-cache, private' });
    res.flushHeaders();
    const fromRv = o.q.get('resourceVersion');
    const accept = (ev: WatchEvent) => matches(w, ev) && selectorMatches(ev.object, o.q);
    if (!fromRv || fromRv === '0') {
      // Start with the current state as ADDED events.
      for (const obj of store.current(o.resource)) {
        const ev: WatchEvent = { rv: Number(obj.metadata.resourceVersion), resource: o.resource, type: 'ADDED', object: obj };
        if (accept(ev)) this.sendEvent(w, ev);
      }
    } else {
      const n = Number(fromRv);
      const { events } = store;
      if (events.length && n < events[0].rv - 1) {
        w.queue.push(JSON.stringify({ type: 'ERROR', object: status(410, 'Expired', `too old resource version: ${n} (${events[0].rv})`) }) + '\n');
        this.flush(w);
        res.end();
        return;
      }
      for (const ev of events) if (ev.rv > n && accept(ev)) this.sendEvent(w, ev);
    }
    if (o.q.get('labelSelector')) w.selectors = o.q;
    this.watchers.add(w);
    const timeout = Number(o.q.get('timeoutSeconds') ?? 0);
    const timer = timeout > 0 ? setTimeout(() => res.end(), timeout * 1000) : undefined;
    const done = () => { this.watchers.delete(w); if (timer) clearTimeout(timer); };
    req.on('close', done);
    res.on('close', done);
  }

  /** Hold (true) or release (false) every watch's events. */
  stall(on: boolean): void {
    this.stalled = on;
    if (!on) for (const w of this.watchers) this.flush(w);
  }

  /** Cut every open watch (its client sees the connection drop). */
  dropAll(): void {
    for (const w of this.watchers) w.res.destroy();
    this.watchers.clear();
  }

  private sendEvent(w: Watcher, ev: WatchEvent): void {
    const object: K8sObject | Record<string, unknown> = w.table ? toTable(ev.resource, [ev.object], String(ev.rv)) : ev.object;
    w.queue.push(JSON.stringify({ type: ev.type, object }) + '\n');
    this.flush(w);
  }

  private flush(w: Watcher): void {
    if (this.stalled || w.res.destroyed) return;
    if (w.queue.length) w.res.write(w.queue.join(''));
    w.queue = [];
  }
}

function matches(w: Watcher, ev: WatchEvent): boolean {
  if (ev.resource !== w.resource) return false;
  if (w.namespace && ev.object.metadata.namespace !== w.namespace) return false;
  if (w.name && ev.object.metadata.name !== w.name) return false;
  if (w.selectors && !selectorMatches(ev.object, w.selectors)) return false;
  return true;
}
