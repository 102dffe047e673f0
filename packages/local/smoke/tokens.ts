import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from 'jose';

/*
 * The smoke stack's own identity: a signing key the workflow holds (the
 * private JWK in the secret SMOKE_JWT_PRIVATE_KEY) and its public half
 * published as a JWKS at an HTTPS URL (SMOKE_JWKS_URL) that the smoke stack
 * sets as matchmaking:jwksUrl. The smoke then signs tokens for fresh users
 * each run, as the studio's identity provider would, and nothing expires
 * between nightly runs. Made once with `tsx packages/local/smoke/keygen.ts`.
 */

export interface SmokeIdentity {
  /** A private JWK with `kid` and `alg` (RS256 or ES256). */
  privateJwk: JWK;
  issuer: string;
  audience: string;
}

/** A new key pair: the private JWK to keep secret and the JWKS to publish. */
export async function generateSmokeKeys(): Promise<{ privateJwk: JWK; jwks: { keys: JWK[] } }> {
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const kid = `smoke-${randomUUID()}`;
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: 'ES256' };
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' };
  return { privateJwk, jwks: { keys: [publicJwk] } };
}

/** A token for `userId` signed with the smoke key, valid for `ttlSeconds` (the smoke takes minutes). */
export async function mintSmokeToken(
  identity: SmokeIdentity,
  userId: string,
  ttlSeconds = 3600,
): Promise<string> {
  const { kid, alg } = identity.privateJwk;
  if (!kid || !alg) throw new Error('the smoke key needs kid and alg (make it with smoke/keygen.ts)');
  const key = await importJWK(identity.privateJwk, alg);
  return new SignJWT({})
    .setProtectedHeader({ alg, kid })
    .setSubject(userId)
    .setIssuer(identity.issuer)
    .setAudience(identity.audience)
    .setIssuedAt()
    .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
    .sign(key);
}
