/**
 * HTTPS for serve mode: a certificate and key from files (`--tls-cert/--tls-key`), or a self-signed pair
 * (`--tls-self-signed`) kept in the data folder (tls-self-signed.pem, 0600) so its fingerprint — which a
 * teammate checks once in the browser's warning — stays the same across restarts.
 *
 * Why the certificate is written by hand: Node signs (crypto.sign) and parses (X509Certificate) but
 * cannot build a certificate, the libraries that do (node-forge, @peculiar/x509, selfsigned) would be a
 * runtime dependency for one small structure, and shelling out to `openssl` fails where it is not
 * installed. A self-signed server certificate is a handful of DER fields (RFC 5280 §4.1); the result is
 * checked with X509Certificate (OpenSSL's parser) before it is used, and by a real TLS handshake in the tests.
 */
import { createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate, type KeyObject } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';

export const SELF_SIGNED_FILE = 'tls-self-signed.pem';
/** How long a self-signed certificate is made for; it is remade when less than a week is left. */
const SELF_SIGNED_DAYS = 365;
const RENEW_BEFORE_MS = 7 * 86400_000;

export interface TlsPair {
  /** PEM. */
  cert: string;
  key: string;
  /** SHA-256 of the certificate, as browsers show it (AB:CD:…). */
  fingerprint: string;
  /** Whether it was made just now (a new fingerprint to hand out). */
  created?: boolean;
}

// --- DER, just what a certificate needs (X.690) ---
function derLength(n: number): Buffer {
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag: number, ...parts: Buffer[]): Buffer => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};
const seq = (...parts: Buffer[]): Buffer => tlv(0x30, ...parts);
const set = (...parts: Buffer[]): Buffer => tlv(0x31, ...parts);
const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 + n, inner);
const octets = (b: Buffer): Buffer => tlv(0x04, b);
const bits = (b: Buffer, unused = 0): Buffer => tlv(0x03, Buffer.from([unused]), b);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
function integer(b: Buffer): Buffer {
  let i = 0;
  while (i < b.length - 1 && b[i] === 0 && b[i + 1] < 0x80) i++;
  const v = b.subarray(i);
  return tlv(0x02, v[0] >= 0x80 ? Buffer.concat([Buffer.from([0]), v]) : v);
}
function oid(dotted: string): Buffer {
  const arcs = dotted.split('.').map(Number);
  const out = [40 * arcs[0] + arcs[1]];
  for (const arc of arcs.slice(2)) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift(0x80 | (v & 0x7f));
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}
/** UTCTime until 2049, GeneralizedTime after (RFC 5280 §4.1.2.5). */
function time(d: Date): Buffer {
  const iso = d.toISOString().replace(/[-:T]/g, '').slice(0, 14) + 'Z';
  return d.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(iso.slice(2))) : tlv(0x18, Buffer.from(iso));
}
function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  // IPv6: expand "::" to the missing groups, then 8 groups of 16 bits.
  const [head, tail] = ip.includes('::') ? ip.split('::') : [ip, undefined];
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array<string>(8 - h.length - t.length).fill('0'), ...t];
  return Buffer.from(groups.flatMap((g) => [parseInt(g, 16) >> 8, parseInt(g, 16) & 0xff]));
}

const ECDSA_SHA256 = '1.2.840.10045.4.3.2';

/** Builds a self-signed ECDSA P-256 server certificate for these names and addresses. */
export function makeSelfSigned(names: string[], opts: { now?: Date; days?: number } = {}): TlsPair {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const now = opts.now ?? new Date();
  const notBefore = new Date(now.getTime() - 3600_000); // an hour back: clocks of teammates differ
  const notAfter = new Date(now.getTime() + (opts.days ?? SELF_SIGNED_DAYS) * 86400_000);
  const subject = seq(set(seq(oid('2.5.4.3'), utf8('Kubedeck serve (self-signed)'))));
  const alt = [...new Set(names.map((n) => n.replace(/^\[|\]$/g, '').toLowerCase()).filter(Boolean))].map((n) =>
    isIP(n) ? tlv(0x87, ipBytes(n)) : tlv(0x82, Buffer.from(n, 'ascii')),
  );
  const extensions = explicit(
    3,
    seq(
      seq(oid('2.5.29.17'), octets(seq(...alt))),
      // basicConstraints: not a CA.
      seq(oid('2.5.29.19'), octets(seq())),
      // keyUsage (critical): digitalSignature — what an ECDHE-ECDSA handshake needs.
      seq(oid('2.5.29.15'), tlv(0x01, Buffer.from([0xff])), octets(bits(Buffer.from([0x80]), 7))),
      // extKeyUsage: serverAuth.
      seq(oid('2.5.29.37'), octets(seq(oid('1.3.6.1.5.5.7.3.1')))),
    ),
  );
  const serial = randomBytes(16);
  serial[0] &= 0x7f;
  const tbs = seq(
    explicit(0, integer(Buffer.from([2]))),
    integer(serial),
    seq(oid(ECDSA_SHA256)),
    subject,
    seq(time(notBefore), time(notAfter)),
    subject,
    publicKey.export({ type: 'spki', format: 'der' }),
    extensions,
  );
  const signature = sign('sha256', tbs, { key: privateKey, dsaEncoding: 'der' });
  const der = seq(tbs, seq(oid(ECDSA_SHA256)), bits(signature));
  const cert = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/(.{64})/g, '$1\n').replace(/\n$/, '')}\n-----END CERTIFICATE-----\n`;
  const key = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  return checkPair(cert, key, 'the self-signed certificate');
}

/** Checks that a PEM certificate and key belong together; the pair with its fingerprint, or an error that says which is wrong. */
export function checkPair(cert: string, key: string, what: string): TlsPair {
  let x: X509Certificate;
  try {
    x = new X509Certificate(cert);
  } catch (err) {
    throw new Error(`${what} is not a PEM certificate (${(err as Error).message})`, { cause: err });
  }
  let k: KeyObject;
  try {
    k = createPrivateKey(key);
  } catch (err) {
    throw new Error(`${what}: the key is not a PEM private key (${(err as Error).message})`, { cause: err });
  }
  if (!x.checkPrivateKey(k)) throw new Error(`${what}: the key does not belong to the certificate`);
  return { cert, key, fingerprint: x.fingerprint256 };
}

/** `--tls-cert FILE --tls-key FILE`: read and checked, so a mistake is a sentence at start, not a failed handshake later. */
export function readTlsFiles(certFile: string, keyFile: string): TlsPair {
  const read = (file: string, what: string): string => {
    try {
      return readFileSync(file, 'utf8');
    } catch (err) {
      throw new Error(`cannot read the TLS ${what} ${file}: ${(err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message}`, { cause: err });
    }
  };
  const pair = checkPair(read(certFile, 'certificate'), read(keyFile, 'key'), certFile);
  const x = new X509Certificate(pair.cert);
  if (Date.parse(x.validTo) < Date.now()) throw new Error(`${certFile} expired on ${x.validTo}`);
  return pair;
}

/** The names a self-signed certificate covers: loopback, this machine's name and the address served on. */
export function selfSignedNames(host: string): string[] {
  const names = ['localhost', '127.0.0.1', '::1', hostname()];
  if (host !== '0.0.0.0' && host !== '::') names.push(host);
  return names;
}

/** `--tls-self-signed`: the data folder's pair when it is still good and covers `names`, else a new one (saved, 0600). */
export function loadOrMakeSelfSigned(dataDir: string, names: string[], now = new Date()): TlsPair {
  const file = join(dataDir, SELF_SIGNED_FILE);
  try {
    const text = readFileSync(file, 'utf8');
    const cert = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/.exec(text)?.[0];
    const key = /-----BEGIN PRIVATE KEY-----[\s\S]+?-----END PRIVATE KEY-----\n?/.exec(text)?.[0];
    if (cert && key) {
      const pair = checkPair(cert, key, file);
      const x = new X509Certificate(cert);
      const covers = names.every((n) => x.checkHost(n) !== undefined || x.checkIP(n.replace(/^\[|\]$/g, '')) !== undefined);
      if (covers && Date.parse(x.validTo) - now.getTime() > RENEW_BEFORE_MS) return pair;
    }
  } catch {
    // Missing, damaged or not ours: a new pair below.
  }
  const pair = makeSelfSigned(names, { now });
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, pair.key + pair.cert, { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, file);
  return { ...pair, created: true };
}
