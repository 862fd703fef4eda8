/**
 * The gateway's settings in settings.json (read when `kubedeck serve` starts):
 * - `ssh.keepaliveSeconds` (default 15): how often the server asks a quiet client whether it is there;
 * - `ssh.keepaliveCountMax` (default 3): how many such questions may go unanswered before the connection
 *   is dropped. A client whose network went away is noticed after about interval × (count + 1), 60 s by
 *   default — OpenSSH's sshd has ClientAliveInterval off by default, so this is stricter than sshd's;
 * - `ssh.ciphers` (default "auto"): "auto" offers OpenSSH clients AES-GCM only (ssh2's fastest here, see
 *   ciphers.ts), "all" offers every client the full list (for an OpenSSH configured without GCM).
 */
export const SSH_KEEPALIVE_SECONDS = 'ssh.keepaliveSeconds';
export const SSH_KEEPALIVE_COUNT_MAX = 'ssh.keepaliveCountMax';
export const SSH_CIPHERS = 'ssh.ciphers';
export const DEFAULT_KEEPALIVE_SECONDS = 15;
export const DEFAULT_KEEPALIVE_COUNT_MAX = 3;

export interface SettingsReader {
  get<T>(key: string, fallback: T): T;
}

/** The keepalive options for startSshGateway; a value that is not a positive number (or count ≥ 0) falls back to the default. */
export function sshKeepalive(settings: SettingsReader): { keepaliveMs: number; keepaliveCountMax: number } {
  const s = settings.get<unknown>(SSH_KEEPALIVE_SECONDS, DEFAULT_KEEPALIVE_SECONDS);
  const n = settings.get<unknown>(SSH_KEEPALIVE_COUNT_MAX, DEFAULT_KEEPALIVE_COUNT_MAX);
  const seconds = typeof s === 'number' && Number.isFinite(s) && s > 0 ? s : DEFAULT_KEEPALIVE_SECONDS;
  const count = typeof n === 'number' && Number.isInteger(n) && n >= 0 ? n : DEFAULT_KEEPALIVE_COUNT_MAX;
  return { keepaliveMs: Math.max(100, Math.round(seconds * 1000)), keepaliveCountMax: count };
}

/** The cipher choice for startSshGateway: "all" when settings say so, else "auto". */
export function sshCiphers(settings: SettingsReader): { ciphers: 'auto' | 'all' } {
  return { ciphers: settings.get<unknown>(SSH_CIPHERS, 'auto') === 'all' ? 'all' : 'auto' };
}
