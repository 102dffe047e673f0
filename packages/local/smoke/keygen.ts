import { generateSmokeKeys } from './tokens.js';

/*
 * One-time setup of the smoke identity (smoke/tokens.ts): prints the private
 * JWK, for the repository secret SMOKE_JWT_PRIVATE_KEY, and the JWKS to
 * publish at the URL in the variable SMOKE_JWKS_URL.
 */
const { privateJwk, jwks } = await generateSmokeKeys();
console.log(`SMOKE_JWT_PRIVATE_KEY (secret):\n${JSON.stringify(privateJwk)}\n`);
console.log(`JWKS to publish at SMOKE_JWKS_URL (public):\n${JSON.stringify(jwks)}`);
