export * from './matching/index.js';
export * from './protocol/index.js';
export * from './rating/index.js';
