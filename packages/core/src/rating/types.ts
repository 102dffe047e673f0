/** A player's Glicko-2 rating on the public scale (the paper's r, RD and sigma). */
export interface Rating {
  rating: number;
  rd: number;
  vol: number;
}

/** Options of the Glicko-2 update. */
export interface RateOptions {
  /** The system constant tau, which limits how fast volatility changes. Glickman suggests 0.3..1.2. */
  tau?: number;
}

/** Who won a team match. */
export type TeamOutcome = 'home' | 'away' | 'draw';

/** What a new player starts with (the seed's values). */
export const NEW_PLAYER_RATING: Readonly<Rating> = Object.freeze({ rating: 1500, rd: 350, vol: 0.06 });

/** Glickman's recommended default for tau, as in the seed. */
export const DEFAULT_TAU = 0.5;
