// The TLS pair of serve mode: a self-signed certificate a strict TLS client accepts for the names it
// covers (and refuses for others), kept 0600 in the data folder and reused; files checked at start.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, get } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { loadOrMakeSelfSigned, makeSelfSigned, readTlsFiles, SELF_SIGNED_FILE } from './tlsCert.ts';

/** One HTTPS request that verifies the chain (the certificate as its own CA) and the name, as a browser would once told to trust it. */
async function handshake(pair: { cert: string; key: string }, servername: string): Promise<string> {
  const server = createServer({ cert: pair.cert, key: pair.key }, (_req, res) => res.end('hello over tls'));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    return await new Promise<string>((resolve, reject) => {
      const req = get({ host: '127.0.0.1', port: (server.address() as AddressInfo).port, path: '/', ca: pair.cert, servername, rejectUnauthorized: true }, (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject);
    });
  } finally {
    server.close();
  }
}

describe('serve TLS certificates', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kd-tls-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('makes a self-signed P-256 certificate that OpenSSL parses and a strict client accepts for its names only', async () => {
    const pair = makeSelfSigned(['localhost', '127.0.0.1', '::1', 'deck.example']);
    const x = new X509Certificate(pair.cert);
    assert.equal(x.verify(x.publicKey), true, 'signed by its own key');
    assert.equal(x.subjectAltName, 'DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1, DNS:deck.example');
    assert.equal(pair.fingerprint, x.fingerprint256);
    assert.match(pair.fingerprint, /^([0-9A-F]{2}:){31}[0-9A-F]{2}$/);
    assert.equal(await handshake(pair, 'localhost'), 'hello over tls');
    assert.equal(await handshake(pair, 'deck.example'), 'hello over tls');
    await assert.rejects(handshake(pair, 'other.example'), /altnames|does not match/i);
  });

  it('keeps the pair in the data folder (0600) and reuses it, so the fingerprint stays; new names make a new one', () => {
    const first = loadOrMakeSelfSigned(dir, ['localhost', '127.0.0.1']);
    assert.equal(first.created, true);
    const file = join(dir, SELF_SIGNED_FILE);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const again = loadOrMakeSelfSigned(dir, ['localhost', '127.0.0.1']);
    assert.equal(again.created, undefined);
    assert.equal(again.fingerprint, first.fingerprint);
    const wider = loadOrMakeSelfSigned(dir, ['localhost', '127.0.0.1', '10.0.0.7']);
    assert.equal(wider.created, true);
    assert.notEqual(wider.fingerprint, first.fingerprint);
    assert.ok(new X509Certificate(wider.cert).checkIP('10.0.0.7'));
    // A damaged file is replaced, not a crash.
    writeFileSync(file, 'garbage');
    assert.equal(loadOrMakeSelfSigned(dir, ['localhost']).created, true);
  });

  it('renews a self-signed certificate in its last week', () => {
    const d = mkdtempSync(join(dir, 'renew-'));
    const old = loadOrMakeSelfSigned(d, ['localhost'], new Date(Date.now() - 360 * 86400_000));
    const now = loadOrMakeSelfSigned(d, ['localhost']);
    assert.equal(now.created, true);
    assert.notEqual(now.fingerprint, old.fingerprint);
  });

  it('reads --tls-cert/--tls-key and says what is wrong with them', () => {
    const a = makeSelfSigned(['localhost']);
    const b = makeSelfSigned(['localhost']);
    const w = (name: string, text: string): string => {
      writeFileSync(join(dir, name), text);
      return join(dir, name);
    };
    const cert = w('cert.pem', a.cert);
    const key = w('key.pem', a.key);
    assert.equal(readTlsFiles(cert, key).fingerprint, a.fingerprint);
    assert.throws(() => readTlsFiles(join(dir, 'nope.pem'), key), /cannot read the TLS certificate .*nope\.pem: no such file/);
    assert.throws(() => readTlsFiles(cert, w('other-key.pem', b.key)), /the key does not belong to the certificate/);
    assert.throws(() => readTlsFiles(key, key), /is not a PEM certificate/);
    assert.throws(() => readTlsFiles(cert, cert), /the key is not a PEM private key/);
    const expired = makeSelfSigned(['localhost'], { now: new Date(Date.now() - 3 * 86400_000), days: 1 });
    assert.throws(() => readTlsFiles(w('exp.pem', expired.cert), w('exp-key.pem', expired.key)), /expired on/);
    assert.equal(readFileSync(cert, 'utf8'), a.cert);
  });
});
