export * from './glicko2.js';
export * from './teams.js';
export * from './types.js';
