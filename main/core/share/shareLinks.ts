/**
 * Share links, composed: the signing key (shareKey.ts), tokens (shareTokens.ts), the persisted store
 * (shareStore.ts), the connections of each link's holders, expiry timers and the audit lines a reviewer
 * needs — who created which link for whom, who joined when and in which mode, refusals, revocations,
 * expiries. Every line a holder causes names the link's label (`share:alice`).
 * The bindings do the rest: main/serve exchanges tokens for cookies and guards each holder's calls.
 */
import { randomUUID } from 'node:crypto';
import type { ContainerRef } from '../../../common/contract/containerRef.ts';
import {
  SHARE_DEFAULT_TTL_SECONDS,
  SHARE_MAX_TTL_SECONDS,
  type CreateShareLinkRequest,
  type ShareEvents,
  type ShareLinkCreated,
  type ShareLinkInfo,
  type ShareSessionInfo,
  type ShareViewerInfo,
} from '../../../common/contract/share.ts';
import { loadShareKey, type ShareKey } from './shareKey.ts';
import { newLinkId, ShareStore, type ShareLinkRecord } from './shareStore.ts';
import { signShareToken, verifyShareToken, type TokenRefusal } from './shareTokens.ts';

export interface ShareAudit {
  append(kind: string, who: string, details: Record<string, unknown>): Promise<unknown>;
}

export interface ShareLinksDeps {
  dataDir: string;
  audit: ShareAudit;
  /** Where a terminal session runs, while it runs (the session host). */
  terminalRef(id: string): ContainerRef | undefined;
  now?: () => number;
}

export type ShareEmit = <E extends keyof ShareEvents>(name: E, payload: ShareEvents[E]) => void;

export type ExchangeRefusal = TokenRefusal | 'revoked' | 'used' | 'ended' | 'unknown';

export const EXCHANGE_TEXT: Record<'revoked' | 'used' | 'ended' | 'unknown', string> = {
  revoked: 'This share link was revoked by its owner.',
  used: 'This one-time share link has already been used.',
  ended: 'The terminal session this link shares has ended.',
  unknown: 'This share link is not known to this server (it may have expired, or the server’s links were reset).',
};

export type ExchangeResult =
  | { ok: true; record: ShareLinkRecord; cookie: string }
  | { ok: false; reason: ExchangeRefusal; message: string };

/** A link's label: the name its holder gets in the audit trail. */
const LABEL = /^[\p{L}\p{N}._@-]{1,40}$/u;

interface Connection {
  viewer: ShareViewerInfo;
  close(why: string): void;
}

export const shareWho = (r: Pick<ShareLinkRecord, 'label'>): string => `share:${r.label}`;

export class ShareLinks {
  private key?: ShareKey;
  private store?: ShareStore;
  private baseUrl?: string;
  private readonly connections = new Map<string, Set<Connection>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly listeners = new Set<ShareEmit>();
  private readonly now: () => number;

  constructor(private readonly deps: ShareLinksDeps) {
    this.now = deps.now ?? Date.now;
  }

  /** The key and the store are read on first use: a Kubedeck that never shares never writes a key. */
  private ready(): { key: ShareKey; store: ShareStore } {
    if (!this.key || !this.store) {
      this.key = loadShareKey(this.deps.dataDir);
      this.store = ShareStore.inDataDir(this.deps.dataDir, this.now);
      for (const r of this.store.live()) this.armExpiry(r);
    }
    return { key: this.key, store: this.store };
  }

  /** `--rotate-share-key`: a new signing key; every link made before is refused from now on. */
  rotateKey(by: string): void {
    this.key = loadShareKey(this.deps.dataDir, { rotate: true });
    this.store ??= ShareStore.inDataDir(this.deps.dataDir, this.now);
    for (const r of this.store.live()) this.closeLink(r.id, 'The server’s share key was replaced: this link is no longer valid.');
    this.store.clear();
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
    this.log('share.rotate', by, {});
  }

  /** Set by the server once it listens (its URL); without one (the desktop app) no link can be made. */
  setBaseUrl(url: string | undefined): void {
    this.baseUrl = url?.replace(/\/+$/, '');
  }

  /** Owner events (viewers joining and leaving, links changing). */
  onEvent(listener: ShareEmit): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  async create(owner: string, req: CreateShareLinkRequest): Promise<ShareLinkCreated> {
    if (!this.baseUrl) throw new Error('Share links need `kubedeck serve`: the desktop app has no server a teammate could reach.');
    const r = validate(req, this.deps.terminalRef);
    const { key, store } = this.ready();
    const now = this.now();
    const record: ShareLinkRecord = {
      id: newLinkId(),
      label: r.label,
      mode: r.mode,
      ...(r.terminal !== undefined ? { terminal: r.terminal } : { container: r.container }),
      files: r.files,
      once: r.once,
      createdBy: owner,
      createdAt: now,
      expiresAt: now + r.ttlSeconds * 1000,
      cookies: [],
    };
    const token = await signShareToken(key, { jti: record.id, exp: record.expiresAt });
    store.add(record);
    this.armExpiry(record);
    this.log('share.create', owner, { link: shareWho(record), ...scopeOf(record), mode: record.mode, once: record.once, expiresAt: new Date(record.expiresAt).toISOString() });
    this.emit('share.links', { count: store.live().length });
    return { id: record.id, url: `${this.baseUrl}/share#t=${token}`, expiresAt: record.expiresAt };
  }

  list(): ShareLinkInfo[] {
    const { store } = this.ready();
    return store.live().map((r) => ({
      id: r.id,
      label: r.label,
      mode: r.mode,
      ...scopeOf(r),
      files: r.files,
      once: r.once,
      used: r.once && r.usedAt !== undefined,
      createdBy: r.createdBy,
      createdAt: r.createdAt,
      expiresAt: r.expiresAt,
      viewers: [...(this.connections.get(r.id) ?? [])].map((c) => c.viewer),
    }));
  }

  async revoke(id: string, by: string): Promise<void> {
    if (typeof id !== 'string') throw new Error('revokeShareLink: id must be a string');
    const { store } = this.ready();
    const r = store.revoke(id);
    if (!r) {
      if (store.get(id)) return;
      throw new Error(`no share link ${JSON.stringify(id.slice(0, 40))} (it may have expired)`);
    }
    clearTimeout(this.timers.get(id));
    this.timers.delete(id);
    this.closeLink(id, EXCHANGE_TEXT.revoked);
    this.log('share.revoke', by, { link: shareWho(r), id });
    this.emit('share.links', { count: store.live().length });
  }

  /** A token from a link's URL, traded for a cookie bound to that link. Refusals are audited. */
  async exchange(token: unknown, from: string): Promise<ExchangeResult> {
    const { key, store } = this.ready();
    const check = await verifyShareToken(key, token, this.now());
    if (!check.ok) {
      const known = check.jti ? store.get(check.jti) : undefined;
      this.log('share.refuse', known ? shareWho(known) : 'share:?', { reason: check.reason, from, ...(known ? { id: known.id } : {}) });
      return { ok: false, reason: check.reason, message: check.message };
    }
    const r = store.get(check.jti);
    if (r?.terminal !== undefined && r.revokedAt === undefined && !this.deps.terminalRef(r.terminal)) {
      this.log('share.refuse', shareWho(r), { reason: 'ended', from, id: r.id });
      return { ok: false, reason: 'ended', message: EXCHANGE_TEXT.ended };
    }
    const x = store.exchange(check.jti);
    if (!x.ok) {
      const reason: ExchangeRefusal = x.why === 'expired' ? 'expired' : x.why;
      this.log('share.refuse', x.record ? shareWho(x.record) : 'share:?', { reason, from, id: check.jti });
      return { ok: false, reason, message: reason === 'expired' ? 'This share link has expired. Ask for a new one.' : EXCHANGE_TEXT[x.why === 'expired' ? 'unknown' : x.why] };
    }
    this.emit('share.links', { count: store.live().length });
    return { ok: true, record: x.record, cookie: x.cookie };
  }

  /** The live link a cookie belongs to. */
  byCookie(cookie: string | undefined): ShareLinkRecord | undefined {
    return this.ready().store.byCookie(cookie);
  }

  /** The link a cookie was exchanged for, live or not (revoked links stay until their expiry). */
  findByCookie(cookie: string | undefined): ShareLinkRecord | undefined {
    return this.ready().store.findByCookie(cookie);
  }

  /** Whether a link is still good now (not revoked, not expired, its terminal still running). */
  stillValid(r: ShareLinkRecord): { ok: true } | { ok: false; message: string } {
    if (r.revokedAt !== undefined) return { ok: false, message: EXCHANGE_TEXT.revoked };
    if (r.expiresAt <= this.now()) return { ok: false, message: 'This share link has expired. Ask for a new one.' };
    if (r.terminal !== undefined && !this.deps.terminalRef(r.terminal)) return { ok: false, message: EXCHANGE_TEXT.ended };
    return { ok: true };
  }

  session(r: ShareLinkRecord): ShareSessionInfo {
    return { linkId: r.id, label: r.label, mode: r.mode, sharedBy: r.createdBy, expiresAt: r.expiresAt, ...scopeOf(r), files: r.files };
  }

  /** A holder's connection: joined now; `close` is called on revoke or expiry. Returns the function that leaves. */
  join(r: ShareLinkRecord, from: string, close: (why: string) => void): { viewer: ShareViewerInfo; leave(): void } {
    const viewer: ShareViewerInfo = { id: randomUUID(), linkId: r.id, label: r.label, mode: r.mode, since: this.now() };
    if (r.terminal !== undefined) viewer.terminal = r.terminal;
    const conn: Connection = { viewer, close };
    let set = this.connections.get(r.id);
    if (!set) this.connections.set(r.id, (set = new Set()));
    set.add(conn);
    this.log('share.join', shareWho(r), { id: r.id, mode: r.mode, ...scopeOf(r), from });
    this.emit('share.viewer', { action: 'joined', viewer });
    let left = false;
    return {
      viewer,
      leave: () => {
        if (left) return;
        left = true;
        set.delete(conn);
        if (!set.size) this.connections.delete(r.id);
        this.log('share.leave', shareWho(r), { id: r.id, mode: r.mode, ...scopeOf(r), seconds: Math.round((this.now() - viewer.since) / 1000) });
        this.emit('share.viewer', { action: 'left', viewer });
      },
    };
  }

  /** A holder's call outside its link's scope (or input from a view-only holder): audited. */
  refused(r: ShareLinkRecord, method: string, why: string): void {
    this.log('share.refuse', shareWho(r), { id: r.id, method, why });
  }

  /** Stops the expiry timers (Kubedeck shutdown). */
  dispose(): void {
    for (const t of this.timers.values()) clearTimeout(t);
    this.timers.clear();
  }

  private armExpiry(r: ShareLinkRecord): void {
    clearTimeout(this.timers.get(r.id));
    const t = setTimeout(() => this.expire(r), Math.max(0, r.expiresAt - this.now()));
    t.unref();
    this.timers.set(r.id, t);
  }

  private expire(r: ShareLinkRecord): void {
    this.timers.delete(r.id);
    if (r.revokedAt !== undefined) return;
    this.closeLink(r.id, 'This share link has expired.');
    this.log('share.expire', shareWho(r), { id: r.id });
    this.store?.prune();
    this.emit('share.links', { count: this.store?.live().length ?? 0 });
  }

  private closeLink(id: string, why: string): void {
    for (const c of [...(this.connections.get(id) ?? [])]) {
      try {
        c.close(why);
      } catch {
        // One broken connection must not keep the others open.
      }
    }
  }

  private emit: ShareEmit = (name, payload) => {
    for (const l of this.listeners) {
      try {
        l(name, payload);
      } catch {
        // A listener that fails (a closed page) must not break the others.
      }
    }
  };

  private log(kind: string, who: string, details: Record<string, unknown>): void {
    void this.deps.audit.append(kind, who, details).catch(() => undefined);
  }
}

function scopeOf(r: Pick<ShareLinkRecord, 'terminal' | 'container'>): { terminal?: string; container?: ContainerRef } {
  return r.terminal !== undefined ? { terminal: r.terminal } : { container: r.container };
}

interface ValidRequest {
  terminal?: string;
  container?: ContainerRef;
  files: boolean;
  mode: 'view' | 'control';
  label: string;
  ttlSeconds: number;
  once: boolean;
}

function validate(req: CreateShareLinkRequest, terminalRef: (id: string) => ContainerRef | undefined): ValidRequest {
  if (!req || typeof req !== 'object') throw new Error('createShareLink: expected {terminal | container, mode, label, ttlSeconds}');
  if (req.mode !== 'view' && req.mode !== 'control') throw new Error('createShareLink: mode must be "view" or "control"');
  const label = typeof req.label === 'string' ? req.label.trim() : '';
  if (!LABEL.test(label)) throw new Error('createShareLink: the label (whom the link is for) must be 1–40 letters, digits or . _ @ -');
  const ttl = req.ttlSeconds ?? SHARE_DEFAULT_TTL_SECONDS;
  if (typeof ttl !== 'number' || !Number.isFinite(ttl) || ttl < 60 || ttl > SHARE_MAX_TTL_SECONDS) {
    throw new Error('createShareLink: the expiry must be from 1 minute to 7 days');
  }
  if (req.once !== undefined && typeof req.once !== 'boolean') throw new Error('createShareLink: once must be true or false');
  const base = { mode: req.mode, label, ttlSeconds: Math.floor(ttl), once: req.once === true };
  if ((req.terminal === undefined) === (req.container === undefined)) throw new Error('createShareLink: give either a terminal or a container');
  if (req.terminal !== undefined) {
    if (typeof req.terminal !== 'string' || !terminalRef(req.terminal)) throw new Error(`createShareLink: terminal ${JSON.stringify(String(req.terminal).slice(0, 40))} has ended or never existed`);
    if (req.files) throw new Error('createShareLink: files can only be granted with a container link');
    return { ...base, terminal: req.terminal, files: false };
  }
  const c = req.container as Partial<ContainerRef> | null;
  if (!c || typeof c !== 'object') throw new Error('createShareLink: container must be {context, namespace, pod, container}');
  for (const k of ['context', 'namespace', 'pod', 'container'] as const) {
    if (typeof c[k] !== 'string' || !c[k]) throw new Error(`createShareLink: container.${k} is required`);
  }
  if (req.files !== undefined && typeof req.files !== 'boolean') throw new Error('createShareLink: files must be true or false');
  return { ...base, container: { context: c.context!, namespace: c.namespace!, pod: c.pod!, container: c.container! }, files: req.files === true };
}
