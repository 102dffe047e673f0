import { describe, expect, it } from 'vitest';
import { parseReadyCallback, parseResultCallback } from '../../src/protocol/callbacks.js';
import { ErrorCode } from '../../src/protocol/errors.js';

describe('callback bodies', () => {
  it('accepts a ready body with a port and an optional address', () => {
    expect(parseReadyCallback('{"port":7777}')).toEqual({ ok: true, value: { port: 7777 } });
    expect(parseReadyCallback('{"port":7777,"ip":"10.0.0.5"}').ok).toBe(true);
    expect(parseReadyCallback('{"port":7777,"ip":"2001:db8::1"}').ok).toBe(true);
  });

  it.each([
    ['no body', undefined, ErrorCode.InvalidJson],
    ['an empty body', '', ErrorCode.InvalidJson],
    ['not JSON', 'port=80', ErrorCode.InvalidJson],
    ['port 0', '{"port":0}', ErrorCode.InvalidMessage],
    ['a port too large', '{"port":70000}', ErrorCode.InvalidMessage],
    ['a fractional port', '{"port":80.5}', ErrorCode.InvalidMessage],
    ['a port as text', '{"port":"80"}', ErrorCode.InvalidMessage],
    ['a host name for ip', '{"port":80,"ip":"evil.example"}', ErrorCode.InvalidMessage],
    ['an extra field', '{"port":80,"userIds":["a"]}', ErrorCode.InvalidMessage],
    ['a huge body', `{"port":80,"ip":"${'1'.repeat(5000)}"}`, ErrorCode.MessageTooLarge],
  ])('refuses a ready callback with %s', (_, body, code) => {
    const result = parseReadyCallback(body);
    expect(result.ok ? 'ok' : result.error.code).toBe(code);
  });

  it('accepts the three outcomes and nothing else', () => {
    for (const outcome of ['home', 'away', 'draw'])
      expect(parseResultCallback(`{"outcome":"${outcome}"}`).ok).toBe(true);
    for (const body of ['{"outcome":"HOME"}', '{"outcome":1}', '{}', '{"outcome":"home","home":["x"]}']) {
      const result = parseResultCallback(body);
      expect(result.ok ? 'ok' : result.error.code).toBe(ErrorCode.InvalidMessage);
    }
  });
});
