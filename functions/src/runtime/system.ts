import { randomUUID } from 'node:crypto';
import type { Clock, IdGenerator } from '../ports.js';

export const systemClock: Clock = { now: () => Date.now() };
export const uuidGenerator: IdGenerator = { next: () => randomUUID() };
