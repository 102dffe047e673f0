import type { PublicRating } from '@matchmaking/client';

/** 1662.3 (RD 290): a rating as players read it. */
export function ratingText(rating: Pick<PublicRating, 'rating' | 'rd'>): string {
  return `${Math.round(rating.rating)} (RD ${Math.round(rating.rd)})`;
}

/** 1.2 s, 45 s, 2 min 5 s; "-" for none. */
export function secondsText(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return '-';
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 120) return `${Math.round(seconds)} s`;
  return `${Math.floor(seconds / 60)} min ${Math.round(seconds % 60)} s`;
}

/** "won", "lost" or "drew" from the outcome and the player's team. */
export function resultText(outcome: 'home' | 'away' | 'draw', team: 'home' | 'away'): string {
  if (outcome === 'draw') return 'drew';
  return outcome === team ? 'won' : 'lost';
}
