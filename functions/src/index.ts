export * from './env.js';
export * from './manifest.js';
