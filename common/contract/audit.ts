/**
 * The audit trail: an append-only, hash-chained log of what users did (terminals opened and closed,
 * transfers, kubeconfig and settings changes). Its own domain: recordings are one of many things it logs.
 */

export interface AuditEntry {
  seq: number;
  time: string;
  kind: 'terminal.open' | 'terminal.close' | 'transfer' | 'kubeconfig' | string;
  who: string;
  details: Record<string, unknown>;
  hash: string;
  prev: string;
}

export interface AuditMethods {
  /**
   * The audit trail and whether its hash chain is intact; if not, the 1-based line number of the first
   * broken line (one past the end when lines were cut off the end) and why, in words.
   */
  readAudit(): Promise<{ entries: AuditEntry[]; intact: boolean; brokenAt?: number; reason?: string }>;
}

export interface AuditEvents {
  'audit.appended': AuditEntry;
}

export const AUDIT_METHODS: Record<keyof AuditMethods, true> = {
  readAudit: true,
};
