import { WebSocket } from 'ws';

/**
 * Plays a match's game server as its players would: each connects to its own
 * gameUrl (serverReady) and reports `outcome`; both teams must agree, so
 * pass one URL per team. Resolves once every socket heard the result.
 */
export async function reportResult(gameUrls: string[], outcome: 'HOME' | 'AWAY' | 'DRAW'): Promise<void> {
  const games = await Promise.all(
    gameUrls.map(
      (url) =>
        new Promise<WebSocket>((resolve, reject) => {
          const game = new WebSocket(url);
          game.once('open', () => resolve(game));
          game.once('error', reject);
        }),
    ),
  );
  const heard = games.map(
    (game) =>
      new Promise<void>((resolve) =>
        game.on('message', (data) => {
          if (data.toString().startsWith('match finished')) resolve();
        }),
      ),
  );
  for (const game of games) game.send(outcome);
  await Promise.all(heard);
  for (const game of games) game.terminate();
}
