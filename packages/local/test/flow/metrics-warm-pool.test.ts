import { describe, expect, it, vi } from 'vitest';
import { defaultGameServer, type LocalStack } from '../../src/index.js';
import { startTestStack } from '../helpers/stack.js';
import { tableReader } from '../helpers/tables.js';
import { eventually } from '../helpers/wait.js';

/*
 * The warm pool's metric (issue 14): each tick reports the idle servers of
 * every region with a pool, read here from the tick's EMF record; with DEBUG
 * handler logs those records are shown on stdout as well.
 */
const REGION = 'eu-west-1';

describe('WarmServersIdle', () => {
  it("reports the pool's idle servers at each tick; with DEBUG logs the EMF lines also reach stdout", async () => {
    const written: string[] = [];
    // Before the stack starts: its EMF tap sits on top of this, as it would on the terminal.
    const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
      written.push(String(chunk));
      return true;
    });
    let stack: LocalStack | undefined;
    try {
      stack = await startTestStack({
        regions: [REGION],
        teamSize: 1,
        gameServer: defaultGameServer,
        warmServers: 1,
        logLevel: 'DEBUG',
        warmPool: { heartbeatSeconds: 0.3, registerSeconds: 20 },
      });
      const tables = tableReader(stack);
      await eventually(async () => {
        const idle = (await tables.servers()).filter((server) => server.state === 'idle');
        expect(idle).toHaveLength(1);
      }, 20_000);
      stack.metrics.take();

      await stack.tick();
      await stack.settled();

      expect(stack.metrics.figures().warmIdle).toEqual({ [REGION]: 1 });
      expect(stack.metrics.line(60)).toMatch(/, warm idle eu-west-1 1$/);
      const shown = written.filter((line) => line.startsWith('{"_aws"')).map((line) => JSON.parse(line));
      expect(shown).toContainEqual(
        expect.objectContaining({
          region: REGION,
          WarmServersIdle: 1,
          deployment: stack.metricsDeployment,
        }),
      );
    } finally {
      await stack?.stop();
      stdout.mockRestore();
    }
  }, 60_000);
});
