/**
 * Share links: a signed, expiring URL that lets one teammate watch (view) or take part in (control) one
 * terminal, or open terminals (and, if granted, browse files) in one container. Only the owner — the
 * holder of the serve token, or the desktop app — may create, list or revoke links; the server enforces a
 * link's scope on every call of its holder's connection (main/serve/shareScope.ts).
 */
import type { ContainerRef } from './containerRef.ts';

/** view: sees the live screen, cannot type or resize. control: may type (and resize). */
export type ShareMode = 'view' | 'control';

/** The longest a link may live (7 days) and the default (1 hour). */
export const SHARE_MAX_TTL_SECONDS = 7 * 24 * 3600;
export const SHARE_DEFAULT_TTL_SECONDS = 3600;

export interface CreateShareLinkRequest {
  /** One terminal session (its id): the holder attaches to it and nothing else. */
  terminal?: string;
  /** Or one container: the holder may open terminals there (control) or watch the ones open there (view). */
  container?: ContainerRef;
  /** With `container`: the holder may also browse that container's files (never this machine's). */
  files?: boolean;
  mode: ShareMode;
  /** Whom the link is for ("alice"): their audit name is `share:alice`. 1–40 letters, digits, `.-_@`. */
  label: string;
  /** How long the link is valid: 60 s to 7 days. */
  ttlSeconds: number;
  /** The link can be exchanged once; later uses are refused. */
  once?: boolean;
}

export interface ShareLinkCreated {
  id: string;
  /** The URL to hand over; the token is in its fragment (never sent to a server, a proxy or a Referer). */
  url: string;
  /** ms since the epoch. */
  expiresAt: number;
}

/** A connection of a link's holder. */
export interface ShareViewerInfo {
  /** Unique per connection. */
  id: string;
  linkId: string;
  label: string;
  mode: ShareMode;
  /** The terminal of a terminal link. */
  terminal?: string;
  /** When it joined (ms since the epoch). */
  since: number;
}

export interface ShareLinkInfo {
  id: string;
  label: string;
  mode: ShareMode;
  terminal?: string;
  container?: ContainerRef;
  files: boolean;
  once: boolean;
  /** A one-time link that has been exchanged. */
  used: boolean;
  createdBy: string;
  createdAt: number;
  expiresAt: number;
  /** Its holders' connections now. */
  viewers: ShareViewerInfo[];
}

/** What a link's holder is allowed, as its page shows it (banner, scope). */
export interface ShareSessionInfo {
  linkId: string;
  label: string;
  mode: ShareMode;
  sharedBy: string;
  expiresAt: number;
  terminal?: string;
  container?: ContainerRef;
  files: boolean;
}

export interface ShareMethods {
  /**
   * Creates a link (owner only). Throws for a missing or ended terminal, a bad label, a ttl outside
   * 60 s–7 days, and in the desktop app (no server a teammate could reach).
   */
  createShareLink(req: CreateShareLinkRequest): Promise<ShareLinkCreated>;
  /** The links that are still valid, with their holders' connections (owner only). */
  listShareLinks(): Promise<ShareLinkInfo[]>;
  /** Revokes a link: its connections are closed within a second, its token is refused from now on (owner only). */
  revokeShareLink(id: string): Promise<void>;
  /** For a share-link holder's connection: what its link allows; null for the owner. */
  shareSession(): Promise<ShareSessionInfo | null>;
}

export interface ShareEvents {
  /** A link's holder connected or went away (the owner's pages get this). */
  'share.viewer': { action: 'joined' | 'left'; viewer: ShareViewerInfo };
  /** Links were created, revoked or expired: call `listShareLinks`. */
  'share.links': { count: number };
}

export const SHARE_METHODS: Record<keyof ShareMethods, true> = {
  createShareLink: true,
  listShareLinks: true,
  revokeShareLink: true,
  shareSession: true,
};
