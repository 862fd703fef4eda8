/**
 * Share-link tokens: compact JWS signed with the server's Ed25519 key (shareKey.ts), via `jose`.
 * Verification pins the algorithm (EdDSA; `none` and HMAC tricks are refused by jose and by the pin),
 * the issuer and the audience (this server), and requires `exp` and `jti` — jose checks `exp` only when
 * it is present. A token names only its link (jti) and expiry; what the link allows lives in the store,
 * so revocation and one-time use are decided there.
 */
import { decodeJwt, decodeProtectedHeader, errors, jwtVerify, SignJWT } from 'jose';
import type { ShareKey } from './shareKey.ts';

export const SHARE_ISSUER = 'kubedeck-share';
const ALG = 'EdDSA';
/** Tokens are short; anything longer is not ours and is refused before any parsing. */
export const MAX_TOKEN_LENGTH = 2048;

export const audienceOf = (key: ShareKey): string => `kubedeck:${key.serverId}`;

export type TokenRefusal = 'malformed' | 'tampered' | 'expired' | 'foreign' | 'rotated';

export type TokenCheck = { ok: true; jti: string; exp: number } | { ok: false; reason: TokenRefusal; message: string; jti?: string };

export const REFUSAL_TEXT: Record<TokenRefusal, string> = {
  malformed: 'This is not a Kubedeck share link (the link is incomplete or damaged).',
  tampered: 'This share link has been tampered with: its signature does not match.',
  expired: 'This share link has expired. Ask for a new one.',
  foreign: 'This share link is for another Kubedeck server.',
  rotated: 'This share link is no longer valid: the server’s share key was replaced. Ask for a new one.',
};

export async function signShareToken(key: ShareKey, claims: { jti: string; exp: number }): Promise<string> {
  return new SignJWT({})
    .setProtectedHeader({ alg: ALG, kid: key.kid, typ: 'JWT' })
    .setIssuer(SHARE_ISSUER)
    .setAudience(audienceOf(key))
    .setJti(claims.jti)
    .setIssuedAt()
    .setExpirationTime(Math.floor(claims.exp / 1000))
    .sign(key.privateKey);
}

const refuse = (reason: TokenRefusal, jti?: string): TokenCheck => ({ ok: false, reason, message: REFUSAL_TEXT[reason], jti });

/** Checks a token; never throws. `jti` of a refusal is only the token's claim (unverified), for the audit line. */
export async function verifyShareToken(key: ShareKey, token: unknown, now = Date.now()): Promise<TokenCheck> {
  if (typeof token !== 'string' || token.length > MAX_TOKEN_LENGTH || !/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token)) return refuse('malformed');
  // Unverified looks, only to say *why* a token is refused; the verdict is jwtVerify's alone.
  let claimedAud: unknown;
  let claimedJti: string | undefined;
  let kid: unknown;
  try {
    const claims = decodeJwt(token);
    claimedAud = claims.aud;
    claimedJti = typeof claims.jti === 'string' ? claims.jti.slice(0, 64) : undefined;
    kid = decodeProtectedHeader(token).kid;
  } catch {
    return refuse('malformed');
  }
  const ours = audienceOf(key);
  const audOk = claimedAud === ours || (Array.isArray(claimedAud) && claimedAud.includes(ours));
  if (!audOk) return refuse('foreign', claimedJti);
  if (kid !== key.kid) return refuse('rotated', claimedJti);
  try {
    const { payload } = await jwtVerify(token, key.publicKey, {
      algorithms: [ALG],
      issuer: SHARE_ISSUER,
      audience: ours,
      requiredClaims: ['exp', 'jti', 'iat'],
      currentDate: new Date(now),
      clockTolerance: 0,
    });
    if (typeof payload.jti !== 'string' || typeof payload.exp !== 'number') return refuse('malformed', claimedJti);
    return { ok: true, jti: payload.jti, exp: payload.exp * 1000 };
  } catch (err) {
    if (err instanceof errors.JWTExpired) return refuse('expired', claimedJti);
    if (err instanceof errors.JWSSignatureVerificationFailed) return refuse('tampered', claimedJti);
    if (err instanceof errors.JOSEAlgNotAllowed) return refuse('tampered', claimedJti);
    return refuse('malformed', claimedJti);
  }
}
