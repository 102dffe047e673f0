export * from './matching/types.js';
export * from './protocol/index.js';
export * from './rating/types.js';
