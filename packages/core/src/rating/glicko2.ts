import { DEFAULT_TAU, type RateOptions, type Rating } from './types.js';

/**
 * Glicko-2, step by step as in Glickman's "Example of the Glicko-2 system"
 * (2013). Ratings are converted to the Glicko-2 scale (mu, phi), updated, and
 * converted back. The volatility step uses the Illinois algorithm of step 5.
 */

/** Converts between the public scale (1500-centred) and the Glicko-2 scale. */
const SCALE = 173.7178;
const CENTRE = 1500;
/** Convergence tolerance of the volatility iteration (the paper's epsilon). */
const EPSILON = 0.000001;
/** Upper bound on iterations: the Illinois method converges in far fewer; this only guards against NaN input. */
const MAX_ITERATIONS = 100;

/** One game of a rating period: the opponent's pre-game rating and RD, and the score (1 win, 0.5 draw, 0 loss). */
export interface Game {
  opponent: { rating: number; rd: number };
  score: number;
}

/** Returns the player's rating after one rating period with these games (no games: only RD grows). */
export function rate(player: Rating, games: readonly Game[], options: RateOptions = {}): Rating {
  const tau = options.tau ?? DEFAULT_TAU;
  assertRating(player);
  const mu = (player.rating - CENTRE) / SCALE;
  const phi = player.rd / SCALE;
  if (games.length === 0) {
    // Step 6 alone: a player who did not compete keeps rating and volatility; RD grows.
    return {
      rating: player.rating,
      rd: Math.sqrt(phi * phi + player.vol * player.vol) * SCALE,
      vol: player.vol,
    };
  }
  let vInverse = 0;
  let deltaSum = 0;
  for (const game of games) {
    assertGame(game);
    const muJ = (game.opponent.rating - CENTRE) / SCALE;
    const gJ = g(game.opponent.rd / SCALE);
    const eJ = expectedScore(mu, muJ, gJ);
    vInverse += gJ * gJ * eJ * (1 - eJ);
    deltaSum += gJ * (game.score - eJ);
  }
  const v = 1 / vInverse;
  const delta = v * deltaSum;
  const vol = newVolatility(phi, player.vol, v, delta, tau);
  const phiStar = Math.sqrt(phi * phi + vol * vol);
  const phiNew = 1 / Math.sqrt(1 / (phiStar * phiStar) + 1 / v);
  const muNew = mu + phiNew * phiNew * deltaSum;
  return { rating: muNew * SCALE + CENTRE, rd: phiNew * SCALE, vol };
}

function g(phi: number): number {
  return 1 / Math.sqrt(1 + (3 * phi * phi) / (Math.PI * Math.PI));
}

function expectedScore(mu: number, muJ: number, gJ: number): number {
  return 1 / (1 + Math.exp(-gJ * (mu - muJ)));
}

/** Step 5: the new volatility sigma', found with the Illinois algorithm. */
function newVolatility(phi: number, sigma: number, v: number, delta: number, tau: number): number {
  const a = Math.log(sigma * sigma);
  const phi2 = phi * phi;
  const delta2 = delta * delta;
  // The paper's f(x): the deviation phi^2 appears here (the seed wrongly used the rating mu^2).
  const f = (x: number): number => {
    const ex = Math.exp(x);
    const d = phi2 + v + ex;
    return (ex * (delta2 - phi2 - v - ex)) / (2 * d * d) - (x - a) / (tau * tau);
  };
  let A = a;
  let B: number;
  if (delta2 > phi2 + v) {
    B = Math.log(delta2 - phi2 - v);
  } else {
    let k = 1;
    while (f(a - k * tau) < 0) k += 1;
    B = a - k * tau;
  }
  let fA = f(A);
  let fB = f(B);
  for (let i = 0; i < MAX_ITERATIONS && Math.abs(B - A) > EPSILON; i += 1) {
    const C = A + ((A - B) * fA) / (fB - fA);
    const fC = f(C);
    if (fC * fB <= 0) {
      A = B;
      fA = fB;
    } else {
      fA /= 2;
    }
    B = C;
    fB = fC;
  }
  return Math.exp(A / 2);
}

function assertRating(player: Rating): void {
  if (!Number.isFinite(player.rating) || !(player.rd > 0) || !(player.vol > 0)) {
    throw new RangeError(`invalid rating ${JSON.stringify(player)}: rating finite, rd and vol positive`);
  }
}

function assertGame(game: Game): void {
  if (!Number.isFinite(game.opponent.rating) || !(game.opponent.rd > 0)) {
    throw new RangeError(`invalid opponent ${JSON.stringify(game.opponent)}`);
  }
  if (!(game.score >= 0 && game.score <= 1)) throw new RangeError(`invalid score ${game.score}: 0..1`);
}
