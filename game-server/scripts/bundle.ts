import { buildSync } from 'esbuild';
import { gameServerBundleOptions } from './bundle-options.js';

/** `pnpm --filter @matchmaking/game-server build`: game-server/dist/main.mjs. */
const here = new URL('..', import.meta.url).pathname;
buildSync({ ...gameServerBundleOptions(here), logLevel: 'warning' });
console.log(`bundled ${here}dist/main.mjs`);
