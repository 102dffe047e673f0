import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  answerTo,
  CLIENT_ACTIONS,
  MAX_CLIENT_MESSAGE_BYTES,
  parseClientAction,
  requestIdOf,
} from '../../src/protocol/client-actions.js';
import { ErrorCode } from '../../src/protocol/errors.js';

const codeOf = (raw: unknown) => {
  const result = parseClientAction(raw);
  return result.ok ? 'ok' : result.error.code;
};

describe('parseClientAction', () => {
  it('accepts every action of the protocol', () => {
    expect(parseClientAction('{"action":"joinQueue","region":"eu-west-1"}')).toEqual({
      ok: true,
      value: { action: 'joinQueue', region: 'eu-west-1' },
    });
    expect(codeOf('{"action":"joinQueue"}')).toBe('ok');
    expect(codeOf('{"action":"leaveQueue"}')).toBe('ok');
    expect(codeOf('{"action":"tryCreateMatch"}')).toBe('ok');
    expect(codeOf('{"action":"getProfile"}')).toBe('ok');
  });

  it.each([
    ['an empty frame', ''],
    ['not JSON', 'hello'],
    ['truncated JSON', '{"action":"joinQueue"'],
    ['a JSON array', '["joinQueue"]'],
    ['a JSON string', '"joinQueue"'],
    ['JSON null', 'null'],
    ['a number', '42'],
    ['a non-string frame', Buffer.from('{"action":"getProfile"}')],
    ['undefined', undefined],
  ])('refuses %s as INVALID_JSON', (_, raw) => {
    expect(codeOf(raw)).toBe(ErrorCode.InvalidJson);
  });

  it.each([
    ['no action', '{"region":"eu-west-1"}'],
    ['an unknown action', '{"action":"dropTables"}'],
    ['a numeric action', '{"action":1}'],
    ['an inherited property name', '{"action":"constructor"}'],
    ['the wrong case', '{"action":"JOINQUEUE"}'],
  ])('refuses %s as UNKNOWN_ACTION', (_, raw) => {
    expect(codeOf(raw)).toBe(ErrorCode.UnknownAction);
  });

  it.each([
    ['a numeric region', '{"action":"joinQueue","region":5}'],
    ['a region that is not a region name', '{"action":"joinQueue","region":"../../etc"}'],
    ['an empty region', '{"action":"joinQueue","region":""}'],
    ['an extra field', '{"action":"getProfile","userId":"someone-else"}'],
    ['a field on an action that takes none', '{"action":"leaveQueue","region":"eu-west-1"}'],
  ])('refuses %s as INVALID_MESSAGE naming the field', (_, raw) => {
    const result = parseClientAction(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.error.code).toBe(ErrorCode.InvalidMessage);
      expect(result.error.message.length).toBeGreaterThan(5);
    }
  });

  it('refuses a frame above the size limit, counting UTF-8 bytes', () => {
    const padding = 'é'.repeat(MAX_CLIENT_MESSAGE_BYTES / 2);
    expect(codeOf(`{"action":"getProfile","x":"${padding}"}`)).toBe(ErrorCode.MessageTooLarge);
    expect(codeOf(' '.repeat(1_000_000))).toBe(ErrorCode.MessageTooLarge);
  });

  it('never throws, whatever the input', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json(), fc.anything()), (raw) => {
        const result = parseClientAction(raw);
        expect(typeof result.ok).toBe('boolean');
      }),
      { numRuns: 500, seed: 7 },
    );
  });
});

describe('requestId', () => {
  it('is accepted on every action, within 1-64 characters of [A-Za-z0-9._:-]', () => {
    for (const action of CLIENT_ACTIONS) {
      const result = parseClientAction(JSON.stringify({ action, requestId: 'r1' }));
      // Some actions need more fields: whatever fails, it is never the requestId.
      if (!result.ok) expect(result.error.message).not.toContain('requestId');
    }
    expect(parseClientAction('{"action":"getProfile","requestId":"a.B_9:-z"}')).toEqual({
      ok: true,
      value: { action: 'getProfile', requestId: 'a.B_9:-z' },
    });
    expect(codeOf(JSON.stringify({ action: 'getProfile', requestId: 'x'.repeat(64) }))).toBe('ok');
    for (const bad of ['', 'x'.repeat(65), 'a b', 'é', 7, null]) {
      expect(codeOf(JSON.stringify({ action: 'getProfile', requestId: bad }))).toBe(ErrorCode.InvalidMessage);
    }
  });

  it('is read from a frame that fails validation, only when valid', () => {
    expect(requestIdOf('{"action":"nope","requestId":"r-7"}')).toBe('r-7');
    expect(requestIdOf('{"action":"getProfile","extra":1,"requestId":"r-8"}')).toBe('r-8');
    expect(requestIdOf('{"requestId":"bad id"}')).toBeUndefined();
    expect(requestIdOf('{"requestId":"r-9"')).toBeUndefined();
    expect(requestIdOf('null')).toBeUndefined();
    expect(requestIdOf(undefined)).toBeUndefined();
    expect(requestIdOf(`{"requestId":"r","pad":"${'x'.repeat(MAX_CLIENT_MESSAGE_BYTES)}"}`)).toBeUndefined();
  });

  it('tags an answer only when there is one', () => {
    const event = { type: 'leftQueue' as const, message: 'left queue' };
    expect(answerTo(event, 'q1')).toEqual({ ...event, requestId: 'q1' });
    expect(answerTo(event, undefined)).toBe(event);
  });
});
