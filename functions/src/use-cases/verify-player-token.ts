import { isValidUserId } from '@matchmaking/core';
import { createRemoteJWKSet, type JWTVerifyGetKey, jwtVerify } from 'jose';

export interface TokenSettings {
  issuer: string;
  audience: string;
  jwksUrl: string;
  /** Oldest `iat` accepted, in seconds; `iat` is then required and may not lie in the future. */
  maxTokenAgeSeconds: number;
}

/** Clock skew allowed between the identity provider and us, for exp, nbf and iat. */
export const CLOCK_TOLERANCE_SECONDS = 30;

export type TokenCheck =
  | { ok: true; userId: string }
  | { ok: false; reason: 'missing' | 'invalid'; detail: string };

/** Verifies player JWTs against the identity provider's JWKS (fetched and cached by jose). */
export class PlayerTokenVerifier {
  private readonly keys: JWTVerifyGetKey;

  constructor(private readonly settings: TokenSettings) {
    this.keys = createRemoteJWKSet(new URL(settings.jwksUrl), {
      cooldownDuration: 30_000,
      cacheMaxAge: 600_000,
    });
  }

  async verify(token: string | undefined): Promise<TokenCheck> {
    if (!token) return { ok: false, reason: 'missing', detail: 'no token' };
    if (!/^[\w-]+\.[\w-]+\.[\w-]+$/.test(token))
      return { ok: false, reason: 'missing', detail: 'malformed token' };
    try {
      const { payload } = await jwtVerify(token, this.keys, {
        issuer: this.settings.issuer,
        audience: this.settings.audience,
        algorithms: ['RS256', 'ES256', 'PS256', 'EdDSA'],
        // A token without exp would open connections forever; iat (required by maxTokenAge) must be in the past.
        requiredClaims: ['exp', 'sub'],
        clockTolerance: CLOCK_TOLERANCE_SECONDS,
        maxTokenAge: this.settings.maxTokenAgeSeconds,
      });
      if (!isValidUserId(payload.sub)) {
        return { ok: false, reason: 'invalid', detail: 'token has no usable sub' };
      }
      return { ok: true, userId: payload.sub };
    } catch (error) {
      return {
        ok: false,
        reason: 'invalid',
        detail: (error as { code?: string }).code ?? 'verification failed',
      };
    }
  }
}

/** The token from `Authorization: Bearer <jwt>` or, for browsers that cannot set headers, `?token=`. */
export function tokenFromRequest(
  headers: Record<string, string | undefined> | null | undefined,
  query: Record<string, string | undefined> | null | undefined,
): string | undefined {
  const header = Object.entries(headers ?? {}).find(([name]) => name.toLowerCase() === 'authorization')?.[1];
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '')?.[1];
  return bearer ?? query?.token ?? undefined;
}
