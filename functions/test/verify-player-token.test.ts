import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, type JWTPayload, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PlayerTokenVerifier } from '../src/use-cases/verify-player-token.js';

/*
 * The $connect token rules with real jose and a real JWKS over HTTP: exp is
 * required, iat/nbf may not lie in the future (30 s tolerance), tokens older
 * than the configured age are refused, and `sub` must be a usable user id.
 */
const ISSUER = 'https://idp.test/';
const AUDIENCE = 'matchmaking';
let server: Server;
let verifier: PlayerTokenVerifier;
let privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((_, response) => {
    response.writeHead(200, { 'content-type': 'application/json' });
    response.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  verifier = new PlayerTokenVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwksUrl: `http://127.0.0.1:${port}/jwks.json`,
    maxTokenAgeSeconds: 3600,
  });
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

const now = () => Math.floor(Date.now() / 1000);

/** A signed token; `claims` overrides the defaults, and an undefined value removes the claim. */
function token(claims: Partial<Record<'sub' | 'iat' | 'exp' | 'nbf', unknown>>): Promise<string> {
  const payload: JWTPayload = { sub: 'alice', iat: now(), exp: now() + 600, ...claims } as JWTPayload;
  for (const [key, value] of Object.entries(payload)) if (value === undefined) delete payload[key];
  return new SignJWT(payload)
    .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
    .setIssuer(ISSUER)
    .setAudience(AUDIENCE)
    .sign(privateKey);
}

describe('player tokens', () => {
  it('accepts a fresh token with exp and iat', async () => {
    expect(await verifier.verify(await token({}))).toEqual({ ok: true, userId: 'alice' });
  });

  it('refuses a token without exp', async () => {
    expect((await verifier.verify(await token({ exp: undefined }))).ok).toBe(false);
  });

  it('refuses a token without iat (its age cannot be known)', async () => {
    expect((await verifier.verify(await token({ iat: undefined }))).ok).toBe(false);
  });

  it('refuses an iat in the future beyond the clock tolerance, and accepts one within it', async () => {
    expect((await verifier.verify(await token({ iat: now() + 300 }))).ok).toBe(false);
    expect((await verifier.verify(await token({ iat: now() + 10 }))).ok).toBe(true);
  });

  it('refuses a token not yet valid (nbf in the future)', async () => {
    expect((await verifier.verify(await token({ nbf: now() + 300 }))).ok).toBe(false);
  });

  it('refuses a token older than the maximum age even if it has not expired', async () => {
    const old = await token({ iat: now() - 7200, exp: now() + 3600 });
    expect(await verifier.verify(old)).toMatchObject({ ok: false, reason: 'invalid' });
  });

  it('refuses an expired token', async () => {
    expect((await verifier.verify(await token({ iat: now() - 120, exp: now() - 60 }))).ok).toBe(false);
  });

  it.each([
    ['a Cognito UUID', '3f1c9e2a-8b7d-4c6e-9f10-2a3b4c5d6e7f'],
    ['an Auth0 id', 'auth0|5f7c8ec7c33c6c004bbafe82'],
    ['a Google id through Auth0', 'google-oauth2|109876543210987654321'],
    ['an email', 'alice@example.com'],
    ['an id with a comma (never comma-joined anywhere)', 'alice,bob'],
  ])('accepts %s as the user id', async (_, sub) => {
    expect(await verifier.verify(await token({ sub }))).toEqual({ ok: true, userId: sub });
  });

  it.each([
    ['a NUL', 'ali\u0000ce'],
    ['a newline', 'alice\nbob'],
    ['a space', 'alice bob'],
    ['a zero-width space', 'ali\u200bce'],
    ['an empty id', ''],
    ['129 characters', 'a'.repeat(129)],
  ])('refuses a sub with %s', async (_, sub) => {
    expect(await verifier.verify(await token({ sub }))).toMatchObject({ ok: false, reason: 'invalid' });
  });
});
