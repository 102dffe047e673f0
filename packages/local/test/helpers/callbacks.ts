import type { LocalStack } from '../../src/index.js';

/** The environment ECS gave the game server of a match (its token, teams...). */
export function taskOf(stack: LocalStack, matchId: string) {
  const task = [...stack.ecs.tasks.values()].find((t) => t.environment.MATCH_ID === matchId);
  if (!task) throw new Error(`no task was started for match ${matchId}`);
  return task;
}

/** Calls the callback API as a game server would. */
export async function callback(
  stack: LocalStack,
  matchId: string,
  kind: 'ready' | 'result',
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
