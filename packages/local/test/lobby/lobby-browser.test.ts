import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { defaultGameServer, type LocalStack, startLocalStack } from '../../src/index.js';
import { connectionsOf } from '../client/sdk.js';

/** Debian's chromium (`.ci/run` installs it); never a downloaded browser build. */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
/** Where a failing test leaves a screenshot of each page (and the mid-match one is always saved). */
export const SCREENSHOTS =
  process.env.LOBBY_SCREENSHOTS ?? join(import.meta.dirname, '../../test-results/lobby');
const WAIT = { timeout: 20_000 };

let stack: LocalStack;
let browser: Browser;
const pages: Page[] = [];

beforeAll(async () => {
  stack = await startLocalStack({
    port: 0,
    tickSeconds: 0,
    logLevel: 'SILENT',
    gameServer: defaultGameServer,
    lobby: true,
  });
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}, 60_000);

afterEach(async (context) => {
  if (context.task.result?.state === 'fail') {
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const [index, page] of pages.entries())
      await page
        .screenshot({
          path: join(SCREENSHOTS, `failed-${context.task.name.slice(0, 40)}-${index}.png`),
          fullPage: true,
        })
        .catch(() => undefined);
  }
  for (const page of pages.splice(0)) await page.close().catch(() => undefined);
});

afterAll(async () => {
  await browser?.close();
  await stack?.stop();
});

async function signIn(userId: string): Promise<Page> {
  const page = await browser.newPage();
  pages.push(page);
  await page.goto(stack.lobbyUrl as string);
  await page.fill('#user-name', userId);
  await page.click('#sign-in');
  await expect.poll(() => page.textContent('#rating'), WAIT).toMatch(/^1500 \(RD 350\)$/);
  return page;
}

const text = (page: Page, selector: string) => page.textContent(selector).catch(() => null);

describe('the browser lobby, in real Chromium', () => {
  it('two windows play a ranked match: by ping, the ready check, MATCH FOUND, the server, new ratings', async () => {
    const alice = await signIn('alice');
    const bob = await signIn('bob');
    for (const page of [alice, bob]) {
      await page.selectOption('#queue', 'ranked');
      // The live stats follow the chosen queue: one row per served region.
      await expect.poll(() => page.locator('#stats-rows tr').count(), WAIT).toBe(stack.regions.length);
      await page.click('#join-queue');
    }
    for (const page of [alice, bob]) {
      await expect.poll(() => text(page, '#match-status'), WAIT).toContain('MATCH FOUND');
      // Timed in the browser: us-east-1 answers in 20 ms, eu-west-1 in 90 (the stack's ping delays).
      expect(await text(page, '#pings')).toMatch(/us-east-1 \d+ ms, eu-west-1 \d+ ms/);
      expect(await text(page, '#teams')).toContain('ranked in us-east-1');
    }
    await alice.click('#accept-match');
    await expect.poll(() => text(bob, '#accepted-count'), WAIT).toBe('1 of 2 accepted');
    await bob.click('#accept-match');
    for (const page of [alice, bob]) {
      await expect.poll(() => text(page, '#match-status'), WAIT).toBe('MATCH FOUND');
      await expect.poll(() => text(page, '#server-address'), WAIT).toMatch(/^127\.0\.0\.1:\d+$/);
    }
    expect(await text(alice, '#teams')).toMatch(/home \(you\): alice|away \(you\): alice/);
    await mkdir(SCREENSHOTS, { recursive: true });
    await alice.screenshot({ path: join(SCREENSHOTS, 'mid-match-alice.png'), fullPage: true });

    // Alice opens her game server's page from the lobby's link and gives up.
    const href = (await alice.getAttribute('#game-link', 'href')) as string;
    expect(href).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?key=/);
    const game = await browser.newPage();
    pages.push(game);
    game.on('dialog', (dialog) => void dialog.accept()); // "Concede the match for your team?"
    await game.goto(href);
    await game.click('button[data-command="CONCEDE"]:not([disabled])', WAIT);

    await expect
      .poll(() => text(alice, '#match-status'), WAIT)
      .toMatch(/^You lost: rating 1500 \(RD 350\) -> /);
    await expect.poll(() => text(bob, '#match-status'), WAIT).toMatch(/^You won: rating 1500 \(RD 350\) -> /);
    const [aliceRating, bobRating] = [await text(alice, '#rating'), await text(bob, '#rating')];
    expect(Number(aliceRating?.split(' ')[0])).toBeLessThan(1500);
    expect(Number(bobRating?.split(' ')[0])).toBeGreaterThan(1500);
    // The stats count the match.
    await expect
      .poll(() => alice.textContent('#stats-rows tr[data-region="us-east-1"] td:nth-child(3)'), WAIT)
      .toBe('1');
    // Now that the queue has a recent match, joining again shows the wait it predicts.
    await alice.click('#join-queue');
    await expect.poll(() => text(alice, '#wait-estimate'), WAIT).toMatch(/^estimated wait \d/);
    await alice.click('#leave-queue');
    await expect.poll(() => text(alice, '#queue-status'), WAIT).toMatch(/^Not queued/);
  });

  it('a decline drops the match: the one who accepted waits again in their place', async () => {
    const erin = await signIn('erin');
    const frank = await signIn('frank');
    for (const page of [erin, frank]) {
      await page.selectOption('#queue', 'ranked');
      await page.click('#join-queue');
    }
    for (const page of [erin, frank])
      await expect.poll(() => text(page, '#match-status'), WAIT).toBe('MATCH FOUND: ready check');
    expect(Number(await text(frank, '#accept-seconds'))).toBeGreaterThan(10);
    await frank.click('#accept-match');
    await expect.poll(() => text(erin, '#accepted-count'), WAIT).toBe('1 of 2 accepted');
    await erin.click('#decline-match');
    await expect
      .poll(() => text(frank, '#match-status'), WAIT)
      .toBe('Match dropped: a player declined; you are back in the queue, in your place.');
    expect(await text(erin, '#match-status')).toBe('Match dropped: a player declined; you left the queue.');
    expect(await frank.isEnabled('#leave-queue')).toBe(true);
    await frank.click('#leave-queue');
    await expect.poll(() => text(frank, '#queue-status'), WAIT).toMatch(/^Not queued/);
  });

  it('a dropped connection that cost the queue place says so and lets the player join again', async () => {
    const gina = await signIn('gina');
    // The run's key leaves the address bar once read (kept for this tab).
    expect(gina.url()).toBe(`http://localhost:${stack.port}/`);
    await gina.selectOption('#region', 'us-east-1');
    await gina.dblclick('#join-queue');
    await expect.poll(() => text(gina, '#queue-status'), WAIT).toMatch(/^Waiting in duel, us-east-1/);
    expect(await text(gina, '#notice')).toBe(''); // one join, not ALREADY_QUEUED for a second
    const [id] = connectionsOf(stack, 'gina');
    stack.websocket.close(id as string);
    await expect
      .poll(() => text(gina, '#queue-status'), WAIT)
      .toBe('Your place in the duel queue was lost when the connection dropped: join again.');
    expect(await gina.isEnabled('#join-queue')).toBe(true);
    expect(await text(gina, '#connection')).toMatch(/^reconnected/);
  });

  it('a page opened again mid-match shows the match the server re-sends', async () => {
    const ivan = await signIn('ivan');
    const judy = await signIn('judy');
    for (const page of [ivan, judy]) {
      await page.selectOption('#region', 'eu-west-1');
      await page.click('#join-queue');
    }
    for (const page of [ivan, judy])
      await expect.poll(() => text(page, '#server-address'), WAIT).toMatch(/^127\.0\.0\.1:\d+$/);
    const address = await text(judy, '#server-address');
    await judy.reload();
    await judy.fill('#user-name', 'judy');
    await judy.click('#sign-in');
    await expect.poll(() => text(judy, '#match-status'), WAIT).toBe('MATCH FOUND');
    await expect.poll(() => text(judy, '#server-address'), WAIT).toBe(address);
    expect(await text(judy, '#teams')).toContain('home');
  });

  it('friends make a party by its code and queue together', async () => {
    const carol = await signIn('carol');
    const dave = await signIn('dave');
    await carol.click('#create-party');
    await expect.poll(() => text(carol, '#party-id'), WAIT).toMatch(/^[0-9A-Z]{8}$/);
    await dave.fill('#party-code', (await text(carol, '#party-id')) as string);
    await dave.click('#join-party');
    for (const page of [carol, dave])
      await expect.poll(() => text(page, '#party-members'), WAIT).toBe('carol, dave');
    await carol.selectOption('#queue', 'duo');
    await carol.selectOption('#region', 'eu-west-1');
    await carol.click('#join-queue');
    for (const page of [carol, dave])
      await expect
        .poll(() => text(page, '#queue-status'), WAIT)
        .toMatch(/^Waiting in duo, eu-west-1, with carol, dave: /);
    expect(await dave.isDisabled('#join-queue')).toBe(true);
    await dave.click('#leave-party');
    await expect.poll(() => text(carol, '#party-members'), WAIT).toBe('carol');
    expect(await text(dave, '#party')).toBe('You left the party.');
  });

  it('shows a hostile user name as text, and without the run key mints nothing', async () => {
    const eve = await signIn('<img/src=x/onerror=alert(1)>');
    expect(await text(eve, '#user')).toBe('<img/src=x/onerror=alert(1)>');
    expect(await eve.locator('img').count()).toBe(0);

    const stranger = await browser.newPage();
    pages.push(stranger);
    await stranger.goto(`http://localhost:${stack.port}/`);
    expect(await text(stranger, '#notice')).toContain('Open the lobby link');
    expect(await stranger.locator('#user-name').count()).toBe(0);
  });
});
