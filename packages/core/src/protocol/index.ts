export * from './callbacks.js';
export * from './client-actions.js';
export * from './errors.js';
export * from './game-server-env.js';
export * from './messages.js';
export * from './server-events.js';
export * from './user-id.js';
