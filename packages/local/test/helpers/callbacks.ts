import type { LocalStack } from '../../src/index.js';

/** The environment ECS gave the game server of a match (its id, bootstrap token, limits). */
export function taskOf(stack: LocalStack, matchId: string) {
  const task = [...stack.ecs.tasks.values()].find((t) => t.environment.MATCH_ID === matchId);
  if (!task) throw new Error(`no task was started for match ${matchId}`);
  return task;
}

/** Calls the callback API as a game server would. */
export async function callback(
  stack: LocalStack,
  matchId: string,
  kind: 'ready' | 'result' | 'session',
  body: unknown,
  token: string | undefined,
): Promise<{ status: number; body: { code?: string; message?: string } }> {
  const response = await fetch(
    `http://127.0.0.1:${stack.port}/matches/${encodeURIComponent(matchId)}/${kind}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    },
  );
  return { status: response.status, body: (await response.json()) as { code?: string; message?: string } };
}

/** Does what a game server does first: trades the task's bootstrap token for the session token and roster. */
export async function openSession(stack: LocalStack, matchId: string) {
  const bootstrap = taskOf(stack, matchId).environment.MATCH_BOOTSTRAP_TOKEN;
  const answer = await callback(stack, matchId, 'session', {}, bootstrap);
  if (answer.status !== 200) throw new Error(`session answered ${answer.status}: ${answer.body.message}`);
  return answer.body as unknown as {
    token: string;
    teams: Record<'home' | 'away', { userId: string; joinKeyHash: string }[]>;
  };
}

/** The session token of a match whose (stand-in) server has not opened it yet. */
export async function sessionToken(stack: LocalStack, matchId: string): Promise<string> {
  return (await openSession(stack, matchId)).token;
}
