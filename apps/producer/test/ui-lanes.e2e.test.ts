/**
 * The campaign page and the lanes (issue 12, SPEC §10) in headless Chromium against the real producer, a
 * send worker, Redis and the sandbox: the failed share in the progress bar, a cancelled campaign that does
 * not say 100 %, scheduled campaigns with their time, the transactional summary, paging and the filter.
 */
import { existsSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import { waitFor } from '@sobot/devkit';
import { API_KEY, BOARD, CHROMIUM_PATH, phoneNumbers, startStack, type Stack } from './ui-helpers';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) console.warn(`ui-lanes.test: no Chromium at ${CHROMIUM_PATH}: the browser tests are SKIPPED`);
const browserIt = hasChromium ? it : it.skip;

const text = async (l: Locator) => ((await l.textContent({ timeout: 2_000 })) ?? '').trim();
const count = async (l: Locator) => Number((await text(l)).replace(/\D/g, ''));

describe('ui: lanes, progress shares and paging', () => {
  let stack: Stack;
  let browser: Browser | undefined;
  let page: Page;
  const pageErrors: Error[] = [];
  const image = () => `${stack.sandbox.url}/images/sample.jpg`;
  const api = (path: string, init: RequestInit = {}) =>
    fetch(`${stack.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${API_KEY}`, ...(init.headers ?? {}) },
    });

  /** A campaign uploaded through the API (the page's own form is tested in ui.e2e.test.ts). */
  async function upload(numbers: string[], query: Record<string, string> = {}): Promise<string> {
    const res = await api(`/v1/campaigns?${new URLSearchParams({ image_url: image(), ...query })}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: ['phone,name', ...numbers.map((n) => `${n},P`)].join('\n'),
    });
    const body = (await res.json()) as { id: string };
    expect(res.status).toBe(202);
    return body.id;
  }

  beforeAll(async () => {
    stack = await startStack({ sendRate: 50 });
    if (hasChromium) {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
      const context = await browser.newContext({ httpCredentials: BOARD, viewport: { width: 1200, height: 1000 } });
      page = await context.newPage();
      page.on('pageerror', (err) => pageErrors.push(err));
    }
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  let withFailures: string;

  browserIt('a campaign with a third failed shows a red third in its bar', async () => {
    const numbers = phoneNumbers('9198400', 9);
    stack.sandbox.setFaults({ closedNumbers: numbers.slice(0, 3) });
    try {
      withFailures = await upload(numbers, { name: 'a third fails' });
      await page.goto(`${stack.url}/ui`);
      const card = page.getByTestId(`campaign-${withFailures}`);
      await waitFor(async () => (await text(card.getByTestId('status'))) === 'completed', {
        timeoutMs: 20_000,
        what: 'completed',
      });
      expect(await count(card.getByTestId('failed'))).toBe(3);
      const share = async (seg: string) => {
        const whole = (await card.getByTestId('progress').boundingBox())!.width;
        return (await card.getByTestId(`seg-${seg}`).boundingBox())!.width / whole;
      };
      // Both segments animate their width: wait for each to settle (a loaded machine draws late).
      await waitFor(
        async () => Math.abs((await share('failed')) - 1 / 3) < 0.02 && Math.abs((await share('sent')) - 2 / 3) < 0.02,
        { timeoutMs: 10_000, what: 'a failed third and a sent two thirds of the bar' },
      );
      expect(await card.getByTestId('seg-failed').isVisible()).toBe(true);
      const red = await card
        .getByTestId('seg-failed')
        .evaluate((el) => el.ownerDocument.defaultView!.getComputedStyle(el).backgroundColor);
      expect(red).toBe('rgb(207, 34, 46)');
      expect(await text(card.getByTestId('percent'))).toBe('100 % · 9 of 9 done');
      expect(await card.getByTestId('failures').isVisible()).toBe(true);
    } finally {
      stack.sandbox.setFaults({ closedNumbers: [] });
    }
  });

  browserIt('a scheduled campaign shows its time; a cancelled one says where it stopped, not 100 %', async () => {
    const sendAt = new Date(Date.now() + 2 * 3_600_000).toISOString();
    const scheduled = await upload(phoneNumbers('9198500', 2), { name: 'tomorrow', send_at: sendAt });
    const cancelled = await upload(phoneNumbers('9198510', 2), { name: 'called off', send_at: sendAt });
    expect((await api(`/v1/campaigns/${cancelled}/cancel`, { method: 'POST' })).status).toBe(200);

    const card = page.getByTestId(`campaign-${scheduled}`);
    await waitFor(async () => (await card.count()) === 1 && (await text(card.getByTestId('status'))) === 'scheduled', {
      timeoutMs: 5_000,
      what: 'the scheduled card',
    });
    const local = await page.evaluate((iso) => new Date(iso).toLocaleString(), sendAt);
    expect(await text(card.getByTestId('send-at'))).toBe(`Scheduled for ${local}`);
    expect(await text(card.getByTestId('lane'))).toMatch(/^Lane bulk · weight 1/);
    expect(await card.getByTestId('btn-cancel').isEnabled()).toBe(true);
    expect(await text(card.getByTestId('percent'))).toMatch(/^0 %/);

    const off = page.getByTestId(`campaign-${cancelled}`);
    await waitFor(async () => (await off.count()) === 1 && (await text(off.getByTestId('status'))) === 'cancelled', {
      timeoutMs: 5_000,
      what: 'the cancelled card',
    });
    expect(await text(off.getByTestId('percent'))).toBe('cancelled at 0 % · 0 of 2 done');
    expect(await off.getByTestId('send-at').isHidden()).toBe(true);
    await waitFor(async () => (await text(page.getByTestId('scheduled-count'))) === '1', {
      timeoutMs: 10_000,
      what: 'one scheduled campaign counted',
    });
  });

  browserIt('the transactional summary shows the API messages of the last 24 h', async () => {
    const numbers = phoneNumbers('9198600', 3);
    stack.sandbox.setFaults({ closedNumbers: [numbers[0]!] });
    try {
      const res = await api('/v1/messages', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          messages: numbers.map((customer_number) => ({ customer_number, customer_name: 'T', url: image() })),
        }),
      });
      expect(res.status).toBe(202);
      const summary = page.getByTestId('tx-summary');
      await waitFor(
        async () =>
          (await count(summary.getByTestId('tx-sent'))) === 2 && (await count(summary.getByTestId('tx-failed'))) === 1,
        { timeoutMs: 15_000, what: 'the summary to show 2 sent and 1 failed' },
      );
      expect(await count(summary.getByTestId('tx-pending'))).toBe(0);
      expect(await count(summary.getByTestId('tx-skipped'))).toBe(0);
      expect(await text(summary.getByTestId('tx-note'))).toMatch(/^3 messages accepted since /);
    } finally {
      stack.sandbox.setFaults({ closedNumbers: [] });
    }
  });

  browserIt('"load older campaigns" pages with next_cursor; the status filter narrows the list', async () => {
    // 50 newer campaigns push the first one off the first page (50 cards).
    for (let i = 0; i < 50; i += 1) {
      await upload([`91987${String(i).padStart(7, '0')}`], {
        name: `later ${i}`,
        send_at: new Date(Date.now() + 3 * 3_600_000).toISOString(),
      });
    }
    const oldest = page.getByTestId(`campaign-${withFailures}`);
    await waitFor(async () => (await oldest.count()) === 0, { timeoutMs: 5_000, what: 'the oldest card to leave' });
    expect(await page.locator('[data-testid^="campaign-"]').count()).toBe(50);
    const more = page.getByTestId('load-more');
    expect(await more.isVisible()).toBe(true);
    await more.click();
    await oldest.waitFor({ timeout: 5_000 });
    expect(await page.locator('[data-testid^="campaign-"]').count()).toBe(53);
    await waitFor(async () => await more.isHidden(), { timeoutMs: 5_000, what: 'no more pages' });
    // The older card keeps its place across refreshes, with its failures.
    expect(await count(oldest.getByTestId('failed'))).toBe(3);
    await waitFor(async () => (await text(page.getByTestId('scheduled-count'))) === '51', {
      timeoutMs: 10_000,
      what: '51 scheduled campaigns counted',
    });

    // For a person to look at: the lanes panel, and the cards of the campaign with failures and the cancelled one.
    await page.evaluate('window.scrollTo(0, 0)');
    await page.screenshot({ path: '/tmp/ui-lanes-top.png' });
    await oldest.screenshot({ path: '/tmp/ui-lanes-failed.png' });
    await page.locator('[data-status="cancelled"]').first().screenshot({ path: '/tmp/ui-lanes-cancelled.png' });
    await page.getByTestId('status-filter').selectOption('cancelled');
    await waitFor(async () => (await page.locator('[data-testid^="campaign-"]').count()) === 1, {
      timeoutMs: 5_000,
      what: 'only the cancelled campaign',
    });
    expect(await text(page.locator('[data-testid^="campaign-"] [data-testid="status"]'))).toBe('cancelled');
    await page.getByTestId('status-filter').selectOption('completed');
    // The one completed campaign is the oldest (the cancelled card must have gone).
    const cards = page.locator('[data-testid^="campaign-"]');
    await waitFor(async () => (await cards.count()) === 1 && (await oldest.count()) === 1, {
      timeoutMs: 5_000,
      what: 'only the completed campaign',
    });
    await page.getByTestId('status-filter').selectOption('');
    await waitFor(async () => (await page.locator('[data-testid^="campaign-"]').count()) === 50, {
      timeoutMs: 5_000,
      what: 'the first page again',
    });
    expect(pageErrors).toEqual([]);
  });
});
