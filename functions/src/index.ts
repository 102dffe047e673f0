export * from './data/tables.js';
export * from './env.js';
export * from './manifest.js';
