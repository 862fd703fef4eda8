// Share-link tokens: only our own, unexpired, untampered EdDSA tokens pass; each refusal says why.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { SignJWT } from 'jose';
import { loadShareKey, SHARE_KEY_FILE } from './shareKey.ts';
import { audienceOf, SHARE_ISSUER, signShareToken, verifyShareToken } from './shareTokens.ts';

const dirs: string[] = [];
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'kd-share-key-'));
  dirs.push(d);
  return d;
};
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const b64 = (o: unknown): string => Buffer.from(JSON.stringify(o)).toString('base64url');

describe('share tokens', () => {
  const dir = tmp();
  const key = loadShareKey(dir);
  const hour = Date.now() + 3600_000;

  it('keeps the key in the data folder, mode 0600, the same across loads', async () => {
    assert.equal(statSync(join(dir, SHARE_KEY_FILE)).mode & 0o777, 0o600);
    const again = loadShareKey(dir);
    assert.equal(again.kid, key.kid);
    const t = await signShareToken(key, { jti: 'link-1', exp: hour });
    assert.deepEqual(await verifyShareToken(again, t), { ok: true, jti: 'link-1', exp: Math.floor(hour / 1000) * 1000 });
  });

  it('refuses a tampered token (payload or signature changed)', async () => {
    const t = await signShareToken(key, { jti: 'link-1', exp: hour });
    const [h, p, s] = t.split('.');
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>;
    const forged = `${h}.${b64({ ...claims, jti: 'link-2' })}.${s}`;
    assert.equal((await verifyShareToken(key, forged)).ok, false);
    assert.deepEqual(await verifyShareToken(key, forged).then((r) => !r.ok && r.reason), 'tampered');
    const flipped = `${h}.${p}.${s.slice(0, -2)}${s.endsWith('AA') ? 'BA' : 'AA'}`;
    assert.equal(await verifyShareToken(key, flipped).then((r) => !r.ok && r.reason), 'tampered');
  });

  it('refuses an expired token with a sentence', async () => {
    const t = await signShareToken(key, { jti: 'link-1', exp: Date.now() - 1000 });
    const r = await verifyShareToken(key, t);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.reason, 'expired');
    assert.match(!r.ok ? r.message : '', /has expired/);
  });

  it('refuses a token of another server (wrong audience), and one signed by another key', async () => {
    const other = loadShareKey(tmp());
    const t = await signShareToken(other, { jti: 'link-1', exp: hour });
    assert.equal(await verifyShareToken(key, t).then((r) => !r.ok && r.reason), 'foreign');
    // Our audience and key id, someone else's key: the signature decides.
    const { privateKey } = generateKeyPairSync('ed25519');
    const fake = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: key.kid }).setIssuer(SHARE_ISSUER).setAudience(audienceOf(key)).setJti('link-1').setIssuedAt().setExpirationTime('1h').sign(privateKey);
    assert.equal(await verifyShareToken(key, fake).then((r) => !r.ok && r.reason), 'tampered');
  });

  it('refuses alg none and HS256 with the public key as secret', async () => {
    const claims = { iss: SHARE_ISSUER, aud: audienceOf(key), jti: 'link-1', iat: Math.floor(Date.now() / 1000), exp: Math.floor(hour / 1000) };
    const none = `${b64({ alg: 'none', kid: key.kid })}.${b64(claims)}.x`;
    assert.equal((await verifyShareToken(key, none)).ok, false);
    assert.equal((await verifyShareToken(key, `${b64({ alg: 'none', kid: key.kid })}.${b64(claims)}.`)).ok, false);
    const pub = key.publicKey.export({ format: 'der', type: 'spki' });
    const hs = await new SignJWT(claims).setProtectedHeader({ alg: 'HS256', kid: key.kid }).sign(new Uint8Array(pub));
    assert.equal((await verifyShareToken(key, hs)).ok, false);
  });

  it('requires exp and jti', async () => {
    const noExp = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: key.kid }).setIssuer(SHARE_ISSUER).setAudience(audienceOf(key)).setJti('x').setIssuedAt().sign(key.privateKey);
    assert.equal((await verifyShareToken(key, noExp)).ok, false);
    const noJti = await new SignJWT({}).setProtectedHeader({ alg: 'EdDSA', kid: key.kid }).setIssuer(SHARE_ISSUER).setAudience(audienceOf(key)).setIssuedAt().setExpirationTime('1h').sign(key.privateKey);
    assert.equal((await verifyShareToken(key, noJti)).ok, false);
  });

  it('refuses garbage without throwing, and every token after a rotation', async () => {
    for (const junk of [undefined, 42, '', 'a.b', 'x'.repeat(5000), 'a.b.c', '..', '%%.%%.%%']) {
      assert.equal((await verifyShareToken(key, junk)).ok, false, String(junk).slice(0, 20));
    }
    const d = tmp();
    const k1 = loadShareKey(d);
    const t = await signShareToken(k1, { jti: 'link-1', exp: hour });
    const k2 = loadShareKey(d, { rotate: true });
    assert.equal(k2.serverId, k1.serverId);
    assert.equal(await verifyShareToken(k2, t).then((r) => !r.ok && r.reason), 'rotated');
  });
});
