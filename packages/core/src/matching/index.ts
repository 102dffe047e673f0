export * from './find-matches.js';
export * from './latency.js';
export * from './team-split.js';
export * from './types.js';
export * from './window.js';
