/**
 * Which ciphers the gateway offers, per client. ssh2 has no native add-on here (it is optional and not
 * built), so its chacha20-poly1305 runs Poly1305 in WebAssembly and sets up a cipher per packet, while
 * AES-GCM is one OpenSSL call per packet through Node's crypto. Measured from memory through ssh2 to
 * OpenSSH 9.2 on this machine: GCM ~1.35× chacha20-poly1305 and ~1.4× aes128-ctr + HMAC; a bulk `ssh host
 * cat` costs the gateway correspondingly less CPU.
 *
 * The client's list decides (RFC 4253 §7.1: the first of the client's ciphers the server also has), and
 * OpenSSH lists chacha20-poly1305, then aes-ctr, before aes-gcm: the server's order cannot make it choose
 * GCM. So an OpenSSH client (its identification line says so; every OpenSSH since 6.2 built with OpenSSL
 * has GCM) is offered AES-GCM only, and everything else the full list with GCM first — paramiko 2.x, for
 * one, has no GCM at all. An OpenSSH told `-c aes128-ctr` would get "no matching cipher": CIPHERS_WIDE
 * (`ssh.ciphers: "all"` in settings.json) offers the full list to OpenSSH too.
 */
import type { Algorithms } from 'ssh2';

/** For clients known to have AES-GCM. */
export const CIPHERS_GCM: Algorithms['cipher'] = ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com'];

/** For everyone else: GCM first, then what ssh2 supports by default. */
export const CIPHERS_WIDE: Algorithms['cipher'] = ['aes128-gcm@openssh.com', 'aes256-gcm@openssh.com', 'aes128-ctr', 'aes192-ctr', 'aes256-ctr', 'chacha20-poly1305@openssh.com'];

/** True when the client's identification line says it is OpenSSH (`SSH-2.0-OpenSSH_9.2p1 Debian-2`). */
export function isOpenSsh(ident: string | undefined): boolean {
  return ident !== undefined && /^SSH-2\.0-OpenSSH_/.test(ident);
}
