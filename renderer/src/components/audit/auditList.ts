/**
 * The audit view without Svelte or the DOM: which entries the kind and word filters keep (newest first),
 * and an entry's details as key/value text. AuditView.svelte shows them; node:test checks them here.
 */
import type { AuditEntry } from '../../../../common/contract/index.ts';

/** The kinds present, sorted, for the kind menu. */
export function auditKinds(entries: AuditEntry[]): string[] {
  return [...new Set(entries.map((e) => e.kind))].sort();
}

/** Entries of `kind` (all when empty) containing every word of `filter` anywhere, newest first. */
export function filterAudit(entries: AuditEntry[], kind: string, filter: string): AuditEntry[] {
  const words = filter.toLowerCase().split(/\s+/).filter(Boolean);
  return entries
    .filter((e) => (!kind || e.kind === kind) && words.every((w) => `${e.kind} ${e.who} ${e.time} ${JSON.stringify(e.details)}`.toLowerCase().includes(w)))
    .reverse();
}

function detailText(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(detailText).join(' ');
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

/** An entry's details as [key, text] pairs: lists joined with spaces, objects as JSON. */
export function detailPairs(e: AuditEntry): [string, string][] {
  return Object.entries(e.details ?? {}).map(([k, v]) => [k, detailText(v)]);
}
