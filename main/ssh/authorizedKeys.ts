/**
 * Who may log in: an OpenSSH authorized_keys file (default ~/.ssh/authorized_keys). Each key's comment is
 * the user's name in the audit trail and the session list. One option of Kubedeck's own limits where a key
 * may go, as context/namespace patterns (`*` matches any run of characters):
 *
 *   kubedeck-allow="kd-test-1/default,kd-test-2/*" ssh-ed25519 AAAA… alice@laptop
 *
 * OpenSSH's sshd refuses keys with options it does not know, so keep such keys in a file of their own
 * (`--ssh-authorized-keys`). Of OpenSSH's options, `no-pty` and `no-port-forwarding` are honoured (and
 * `restrict` means both); `command=` is refused (the key is skipped, a forced command cannot be honoured).
 */
import { readFileSync } from 'node:fs';
import { timingSafeEqual } from 'node:crypto';
import ssh2, { type ParsedKey } from 'ssh2';

export interface AuthorizedKey {
  key: ParsedKey;
  /** The key's comment: who this is (the audit trail's "who"); `key N` when there is none. */
  name: string;
  /** context/namespace patterns; undefined: anywhere. */
  allow?: string[];
  noPty: boolean;
  noPortForwarding: boolean;
  line: number;
}

export interface ParsedKeys {
  keys: AuthorizedKey[];
  /** Lines that were skipped and why (printed at start so a typo does not silently lock someone out). */
  problems: string[];
}

const KEY_TYPE = /^(ssh-ed25519|ssh-rsa|ecdsa-sha2-nistp(256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com|ssh-dss)$/;

export function readAuthorizedKeys(path: string): ParsedKeys {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    return { keys: [], problems: [`${path}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`] };
  }
  return parseAuthorizedKeys(text, path);
}

export function parseAuthorizedKeys(text: string, source = 'authorized_keys'): ParsedKeys {
  const keys: AuthorizedKey[] = [];
  const problems: string[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const where = `${source}:${i + 1}`;
    const fields = splitFields(line);
    let at = fields.findIndex((f) => KEY_TYPE.test(f));
    if (at < 0 || at > 1 || !fields[at + 1]) return problems.push(`${where}: not a public key line`);
    const options = at === 1 ? parseOptions(fields[0]) : new Map<string, string | true>();
    if (options.has('command')) return problems.push(`${where}: command= is not supported by the Kubedeck gateway; key skipped`);
    const parsed = ssh2.utils.parseKey(`${fields[at]} ${fields[at + 1]}`);
    const key = Array.isArray(parsed) ? parsed[0] : parsed;
    if (!key || key instanceof Error) return problems.push(`${where}: ${key instanceof Error ? key.message : 'unreadable key'}`);
    at += 2;
    const comment = fields.slice(at).join(' ');
    const allowOpt = options.get('kubedeck-allow');
    const restrict = options.has('restrict');
    keys.push({
      key,
      name: comment || `key ${i + 1}`,
      allow: typeof allowOpt === 'string' ? allowOpt.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
      noPty: options.has('no-pty') || (restrict && !options.has('pty')),
      noPortForwarding: options.has('no-port-forwarding') || (restrict && !options.has('port-forwarding')),
      line: i + 1,
    });
  });
  return { keys, problems };
}

/** The key offered, if it is one of these (same algorithm and public blob). */
export function findKey(keys: AuthorizedKey[], algo: string, blob: Buffer): AuthorizedKey | undefined {
  return keys.find((k) => {
    const pub = k.key.getPublicSSH();
    return k.key.type === algo.replace(/^rsa-sha2-(256|512)$/, 'ssh-rsa') && pub.length === blob.length && timingSafeEqual(pub, blob);
  });
}

/** Whether a key may reach this context and namespace. */
export function allows(key: AuthorizedKey, context: string, namespace: string): boolean {
  if (!key.allow) return true;
  const target = `${context}/${namespace}`;
  return key.allow.some((p) => globToRegExp(p.includes('/') ? p : `${p}/*`).test(target));
}

function globToRegExp(glob: string): RegExp {
  return new RegExp(`^${glob.split('*').map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
}

/** Splits on spaces outside double quotes (options such as `from="a b"` hold spaces). */
function splitFields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && quoted && line[i + 1] === '"') {
      cur += '\\"';
      i++;
    } else if (c === '"') {
      quoted = !quoted;
      cur += c;
    } else if (/\s/.test(c) && !quoted) {
      if (cur) out.push(cur);
      cur = '';
    } else cur += c;
  }
  if (cur) out.push(cur);
  return out;
}

function parseOptions(field: string): Map<string, string | true> {
  const out = new Map<string, string | true>();
  const re = /([A-Za-z0-9-]+)(?:="((?:[^"\\]|\\.)*)")?(?:,|$)/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(field)) && m[0]) out.set(m[1].toLowerCase(), m[2] === undefined ? true : m[2].replace(/\\"/g, '"'));
  return out;
}
