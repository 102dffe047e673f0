import { randomUUID } from 'node:crypto';
import { exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';

/**
 * A local identity provider: an RS256 key made at start, its JWKS, and dev
 * tokens for any user id. The authorizer verifies these exactly as it verifies
 * the real provider's tokens on AWS (JWKS URL, issuer, audience).
 */
export class LocalIdentity {
  private constructor(
    private readonly privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'],
    readonly jwks: { keys: JWK[] },
    readonly issuer: string,
    readonly audience: string,
    private readonly kid: string,
  ) {}

  static async create(issuer: string, audience = 'matchmaking-local'): Promise<LocalIdentity> {
    const { privateKey, publicKey } = await generateKeyPair('RS256');
    const kid = randomUUID();
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
    return new LocalIdentity(privateKey, { keys: [jwk] }, issuer, audience, kid);
  }

  /** A token for `userId` (the `sub`), valid for `ttlSeconds`. */
  issue(userId: string, ttlSeconds = 12 * 60 * 60): Promise<string> {
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', kid: this.kid })
      .setSubject(userId)
      .setIssuer(this.issuer)
      .setAudience(this.audience)
      .setIssuedAt()
      .setExpirationTime(Math.floor(Date.now() / 1000) + ttlSeconds)
      .sign(this.privateKey);
  }
}
