import { describe, expect, it } from 'vitest';
import { gamePage } from '../src/game-page.js';

describe('the game link the lobby shows', () => {
  it("is the game server's page over http(s), on the server's own address", () => {
    expect(gamePage('ws://127.0.0.1:40123/?key=Xr2', '127.0.0.1')).toBe('http://127.0.0.1:40123/?key=Xr2');
    expect(gamePage('wss://203.0.113.7:443/?key=a', '203.0.113.7')).toBe('https://203.0.113.7/?key=a');
  });

  it('is no link for anything else an event may say', () => {
    for (const url of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'http://127.0.0.1:40123/?key=a',
      'ws://evil.example:40123/?key=a',
      'ws://127.0.0.1.evil.example/',
      'not a url',
    ]) {
      expect(gamePage(url, '127.0.0.1'), url).toBeUndefined();
    }
  });
});
