/**
 * The hash both ends of a copy compute to check it. BLAKE2b-512 where the container has `b2sum`
 * (GNU coreutils ≥ 8.26: every Debian, Ubuntu, Fedora or UBI image), else SHA-256 (`sha256sum`,
 * busybox included), else none (sizes are compared).
 *
 * Why not SHA-256 everywhere: coreutils' sha256sum uses no SHA instructions and hashes ~150 MB/s
 * on one core, so hashing a 1 GiB copy in the container took ~7 s of its CPU — as long as the whole
 * of `kubectl cp`. b2sum does the same job (a cryptographic hash, 512 bits) at ~500 MB/s, and Node
 * (OpenSSL) hashes BLAKE2b at ~550 MB/s. The container's CPU is often someone's production pod.
 */
import { createHash, type Hash } from 'node:crypto';

export interface CopyHash {
  /** The name in the result line ("blake2b ok (3 files)"). */
  readonly label: 'blake2b' | 'sha256';
  /** The container's command; it prints lines "<hex>  <name>" (or "<hex>  -" for stdin). */
  readonly tool: 'b2sum' | 'sha256sum';
  /** A whole digest in hex. */
  readonly hex: RegExp;
  create(): Hash;
}

export const BLAKE2B: CopyHash = { label: 'blake2b', tool: 'b2sum', hex: /^[0-9a-f]{128}$/, create: () => createHash('blake2b512') };
export const SHA256: CopyHash = { label: 'sha256', tool: 'sha256sum', hex: /^[0-9a-f]{64}$/, create: () => createHash('sha256') };

/** The hash a copy with a container that has these commands is checked with; undefined: sizes only. */
export function copyHashFor(has: ReadonlySet<string>): CopyHash | undefined {
  if (has.has('b2sum')) return BLAKE2B;
  if (has.has('sha256sum')) return SHA256;
  return undefined;
}

/** The digest at the start of one line of the tool's output ("<hex>  name"; GNU prefixes `\` to escaped names). */
export function digestOfLine(h: CopyHash, line: string): string | undefined {
  const m = /^\\?([0-9a-f]+)(?:\s|$)/.exec(line);
  return m && h.hex.test(m[1]) ? m[1] : undefined;
}
