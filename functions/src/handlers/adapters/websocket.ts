import {
  answerTo,
  type ClientAction,
  type ClientActionName,
  ErrorCode,
  events,
  MatchmakingError,
  parseClientAction,
  requestIdOf,
  type ServerEvent,
} from '@matchmaking/core';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { Notifier } from '../../ports.js';
import { createLogger } from '../../runtime/logger.js';
import { MESSAGE_WINDOW_MS, type MessageRateLimit } from '../../use-cases/message-rate-limit.js';

const logger = createLogger('websocket');

/** The parts of an API Gateway WebSocket event the handlers read. */
export interface WebSocketEvent {
  requestContext: {
    connectionId: string;
    routeKey?: string;
    authorizer?: { userId?: unknown; principalId?: unknown } | null;
  };
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface Caller {
  userId: string;
  connectionId: string;
}

/** The user id the $connect authorizer put in the context (every route of that connection carries it). */
export function callerOf(event: WebSocketEvent): Caller {
  const userId = event.requestContext.authorizer?.userId ?? event.requestContext.authorizer?.principalId;
  if (typeof userId !== 'string' || userId.length === 0) {
    throw new MatchmakingError(ErrorCode.Unauthorized, 'the connection carries no authorized user');
  }
  return { userId, connectionId: event.requestContext.connectionId };
}

/** Sends the caller its answer at once, tagged with the request's id (for a use case that must answer before it goes on). */
export type AnswerCaller = (event: ServerEvent) => Promise<void>;

/** A use case behind a route: the answer for the caller, or undefined when it answered through `answer`. */
export type RouteRun<A extends ClientActionName> = (
  caller: Caller,
  message: Extract<ClientAction, { action: A }>,
  answer: AnswerCaller,
) => Promise<ServerEvent | undefined>;

/**
 * A route handler for one client action: validates the frame, runs the use
 * case and sends its answer (or a typed `error` event) back to the caller's
 * connection, with the frame's requestId. Bad input changes nothing;
 * unexpected failures are logged with the connection id and answered with
 * INTERNAL.
 */
export function actionRoute<A extends ClientActionName>(action: A, deps: () => RouteDeps, run: RouteRun<A>) {
  return messageRoute(deps, (event, answerCaller, body) => answer(event, body, action, run, answerCaller));
}

/** What every message route needs: replies, and the per-connection message limit. */
export interface RouteDeps {
  notifier: Notifier;
  rateLimit: MessageRateLimit;
}

/**
 * Every message route: a player over its message limit gets RATE_LIMITED and
 * this connection is closed (nothing else runs); any other message gets
 * `reply`'s answer. Every answer to the caller carries the frame's requestId
 * when it has a valid one, even a frame refused as invalid, so the client
 * settles the right request. (Every connection carries the user id its
 * $connect authorizer put in the context.)
 */
export function messageRoute(
  deps: () => RouteDeps,
  /** Gets the frame's text, decoded once here (`bodyOf`). */
  reply: (
    event: WebSocketEvent,
    answer: AnswerCaller,
    body: string | null | undefined,
  ) => Promise<ServerEvent | undefined>,
) {
  return async (event: WebSocketEvent): Promise<APIGatewayProxyResultV2> => {
    const connectionId = event.requestContext.connectionId;
    const { notifier, rateLimit } = deps();
    const body = bodyOf(event);
    const requestId = requestIdOf(body);
    const answer: AnswerCaller = async (answered) => {
      await notifier.send(connectionId, answerTo(answered, requestId));
    };
    const userId = event.requestContext.authorizer?.userId ?? event.requestContext.authorizer?.principalId;
    if (typeof userId === 'string' && !(await rateLimit.admit(userId))) {
      logger.warn('player over its message limit: connection closed', { connectionId });
      const seconds = MESSAGE_WINDOW_MS / 1000;
      const refusal = events.error(
        ErrorCode.RateLimited,
        `too many messages: at most ${rateLimit.limit} every ${seconds} s per player; this connection is closed`,
      );
      await answer(refusal);
      await notifier.close(connectionId);
      return { statusCode: 429 };
    }
    const answered = await reply(event, answer, body);
    if (answered) await answer(answered);
    return { statusCode: 200 };
  };
}

/** The frame's text (API Gateway base64-encodes a binary frame). */
function bodyOf(event: WebSocketEvent): string | null | undefined {
  return event.isBase64Encoded && event.body
    ? Buffer.from(event.body, 'base64').toString('utf8')
    : event.body;
}

async function answer<A extends ClientActionName>(
  event: WebSocketEvent,
  body: string | null | undefined,
  action: A,
  run: RouteRun<A>,
  answerCaller: AnswerCaller,
): Promise<ServerEvent | undefined> {
  const parsed = parseClientAction(body);
  if (!parsed.ok) return events.error(parsed.error.code, parsed.error.message);
  if (parsed.value.action !== action) {
    return events.error(ErrorCode.UnknownAction, `this route handles ${action}, not ${parsed.value.action}`);
  }
  let answered = false;
  const answerOnce: AnswerCaller = async (reply) => {
    answered = true;
    await answerCaller(reply);
  };
  try {
    return await run(callerOf(event), parsed.value as Extract<ClientAction, { action: A }>, answerOnce);
  } catch (error) {
    const refusal = errorEvent(error, event.requestContext.connectionId);
    if (!answered) return refusal;
    // The caller has its answer (its requestId is settled): a second one would be a stray error.
    logger.warn('failed after answering the caller', {
      connectionId: event.requestContext.connectionId,
      code: refusal.type === 'error' ? refusal.code : undefined,
    });
    return undefined;
  }
}

/** Maps a use-case failure to what the client sees. */
export function errorEvent(error: unknown, connectionId: string): ServerEvent {
  if (error instanceof MatchmakingError) return events.error(error.code, error.message, error.details);
  logger.error('request failed', { connectionId, error });
  return events.error(ErrorCode.Internal, 'something went wrong on our side; try again');
}
