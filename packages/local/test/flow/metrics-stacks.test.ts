import { describe, expect, it } from 'vitest';
import { startTestStack } from '../helpers/stack.js';

/*
 * The local metrics summary's settings, checked before anything starts.
 */
const REGION = 'eu-west-1';

describe('metricsSummarySeconds', () => {
  it('is refused past a day (a timer cannot wait past 2^31 ms), below 0 or not a number, before anything starts', async () => {
    for (const seconds of [86_401, 2_147_484, -1, Number.NaN])
      await expect(
        startTestStack({ regions: [REGION], teamSize: 1, metricsSummarySeconds: seconds }),
      ).rejects.toThrow(`metricsSummarySeconds must be 0 (off) to 86400 (a day), got ${seconds}`);
  });
});
