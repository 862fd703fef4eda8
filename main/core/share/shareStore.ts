/**
 * The share links this server has made, in the data folder (share-links.json, mode 0600). A link's record
 * says what it allows; the token only names it. A revoked link stays in the file until its expiry (the
 * jti deny-list: its token would still verify until then); expired records are dropped. One-time links
 * are marked used in the same tick that checks them (the file is written synchronously), so two
 * exchanges of one token cannot both win. The cookies a link was exchanged for are kept as hashes.
 */
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ContainerRef } from '../../../common/contract/containerRef.ts';
import type { ShareMode } from '../../../common/contract/share.ts';

export const SHARE_LINKS_FILE = 'share-links.json';

export interface ShareLinkRecord {
  id: string;
  label: string;
  mode: ShareMode;
  terminal?: string;
  container?: ContainerRef;
  files: boolean;
  once: boolean;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  usedAt?: number;
  revokedAt?: number;
  /** sha256 (hex) of the cookies this link was exchanged for. */
  cookies: string[];
}

export const hashCookie = (cookie: string): string => createHash('sha256').update(cookie).digest('hex');
export const newLinkId = (): string => randomBytes(16).toString('base64url');

export class ShareStore {
  private readonly links = new Map<string, ShareLinkRecord>();

  constructor(
    readonly file: string,
    private readonly now: () => number = Date.now,
  ) {
    this.load();
  }

  static inDataDir(dataDir: string, now?: () => number): ShareStore {
    return new ShareStore(join(dataDir, SHARE_LINKS_FILE), now);
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch {
      return;
    }
    try {
      const list = JSON.parse(text) as ShareLinkRecord[];
      for (const r of Array.isArray(list) ? list : []) {
        if (r && typeof r.id === 'string' && typeof r.expiresAt === 'number') this.links.set(r.id, { ...r, cookies: Array.isArray(r.cookies) ? r.cookies : [] });
      }
    } catch {
      // A damaged file loses the links (they must be made again), never the server.
    }
    this.prune();
  }

  private save(): void {
    mkdirSync(dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify([...this.links.values()], null, 1) + '\n', { mode: 0o600 });
    chmodSync(tmp, 0o600);
    renameSync(tmp, this.file);
  }

  /** Drops records past their expiry; returns them (the caller audits the expiries it had not seen). */
  prune(): ShareLinkRecord[] {
    const now = this.now();
    const gone = [...this.links.values()].filter((r) => r.expiresAt <= now);
    for (const r of gone) this.links.delete(r.id);
    if (gone.length) this.save();
    return gone;
  }

  add(r: ShareLinkRecord): void {
    this.links.set(r.id, r);
    this.save();
  }

  get(id: string): ShareLinkRecord | undefined {
    return this.links.get(id);
  }

  /** Links that are neither expired nor revoked. */
  live(): ShareLinkRecord[] {
    const now = this.now();
    return [...this.links.values()].filter((r) => r.expiresAt > now && r.revokedAt === undefined);
  }

  revoke(id: string): ShareLinkRecord | undefined {
    const r = this.links.get(id);
    if (!r || r.revokedAt !== undefined) return undefined;
    r.revokedAt = this.now();
    this.save();
    return r;
  }

  /**
   * Trades a verified token's link for a new cookie: refused when revoked, expired, or (once) used.
   * Check and mark happen without an await in between, so the second of two racing exchanges loses.
   */
  exchange(id: string): { ok: true; record: ShareLinkRecord; cookie: string } | { ok: false; why: 'unknown' | 'revoked' | 'used' | 'expired'; record?: ShareLinkRecord } {
    const r = this.links.get(id);
    if (!r) return { ok: false, why: 'unknown' };
    if (r.revokedAt !== undefined) return { ok: false, why: 'revoked', record: r };
    if (r.expiresAt <= this.now()) return { ok: false, why: 'expired', record: r };
    if (r.once && r.usedAt !== undefined) return { ok: false, why: 'used', record: r };
    r.usedAt ??= this.now();
    const cookie = randomBytes(32).toString('base64url');
    r.cookies.push(hashCookie(cookie));
    this.save();
    return { ok: true, record: r, cookie };
  }

  /** The live link a cookie was exchanged for. */
  byCookie(cookie: string | undefined): ShareLinkRecord | undefined {
    if (!cookie || cookie.length > 100) return undefined;
    const h = hashCookie(cookie);
    const now = this.now();
    for (const r of this.links.values()) {
      if (r.revokedAt === undefined && r.expiresAt > now && r.cookies.includes(h)) return r;
    }
    return undefined;
  }

  /** The link a cookie was exchanged for, whatever its state (to say why it no longer works). */
  findByCookie(cookie: string | undefined): ShareLinkRecord | undefined {
    if (!cookie || cookie.length > 100) return undefined;
    const h = hashCookie(cookie);
    for (const r of this.links.values()) if (r.cookies.includes(h)) return r;
    return undefined;
  }

  /** Forgets every link (a rotated key makes them all invalid). */
  clear(): void {
    this.links.clear();
    this.save();
  }
}
