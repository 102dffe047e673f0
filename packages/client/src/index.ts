// The protocol's types come from @matchmaking/core, the one source of truth the server validates with.
export type {
  ClientAction,
  ClientActionName,
  ErrorCode,
  PublicRating,
  QueueStats,
  QueueSummary,
  ServerEvent,
  ServerEventType,
  Team,
} from '@matchmaking/core';
