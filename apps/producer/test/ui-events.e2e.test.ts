/**
 * The page's event endpoints panel (SPEC §16) in headless Chromium against the real producer and Redis: an endpoint
 * with a failed delivery shows as failing with its backlog and failed count; its replay button puts it back.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { createLogger } from '@sobot/config';
import { waitFor } from '@sobot/devkit';
import { Store } from '@sobot/store';
import { API_KEY, BOARD, CHROMIUM_PATH, startStack, type Stack } from './ui-helpers';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) console.warn(`ui-events.test: no Chromium at ${CHROMIUM_PATH}: the browser test is SKIPPED`);
const browserIt = hasChromium ? it : it.skip;

describe('ui: event endpoints', () => {
  let stack: Stack;
  let store: Store;
  let browser: Browser | undefined;

  beforeAll(async () => {
    stack = await startStack({ sendRate: 20 });
    store = Store.open({ ...stack.redis, resultTtlDays: 1 }, createLogger('store', 'silent'));
    if (hasChromium) {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await store?.close();
    await stack?.stop();
  });

  browserIt(
    'shows each endpoint failing with its counts, and replays its failed deliveries',
    async () => {
      const res = await fetch(`${stack.url}/v1/event-endpoints`, {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'application/json' },
        body: JSON.stringify({ url: 'https://93.184.215.14/hook' }),
      });
      const ep = (await res.json()) as { id: string };
      // A delivery that spent its schedule (what the dispatcher writes after the last retry).
      const ref = `c00000000000000a.${Date.now() - 60_000}-0.s.0`;
      await store.outboxPump.handOver('c00000000000000a', '0-0', new Map([[ep.id, [ref]]]), new Map());
      await store.eventDeliveries.failed(ep.id, ref, 8, undefined, { status: 500, error: null });

      const context = await browser!.newContext({ httpCredentials: BOARD });
      const page = await context.newPage();
      const errors: Error[] = [];
      page.on('pageerror', (e) => errors.push(e));
      await page.goto(`${stack.url}/ui`);
      const row = page.getByTestId('event-endpoint');
      await row.waitFor({ timeout: 10_000 });
      expect(await row.getByTestId('event-state').textContent()).toMatch(/^failing since/);
      expect(await row.getByTestId('event-health').textContent()).toMatch(/backlog 0 .*failed kept 1.*last answer 500/);
      await row.getByTestId('event-replay').click();
      await waitFor(async () =>
        ((await row.getByTestId('event-replay-note').textContent()) ?? '').includes('1 failed'),
      );
      const pending = (await (
        await fetch(`${stack.url}/v1/event-endpoints/${ep.id}/deliveries?status=pending`, {
          headers: { authorization: `Bearer ${API_KEY}` },
        })
      ).json()) as { deliveries: Array<{ id: string }> };
      expect(pending.deliveries.map((d) => d.id)).toEqual([`evt_c00000000000000a_${ref.split('.')[1]}`]);
      expect(errors).toEqual([]);
    },
    60_000,
  );
});
