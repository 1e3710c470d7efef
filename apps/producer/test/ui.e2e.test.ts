import { existsSync, readFileSync } from 'node:fs';
import { chromium, type Browser, type Locator, type Page } from 'playwright-core';
import ExcelJS from 'exceljs';
import { waitFor } from '@sobot/devkit';
import { settled } from '@sobot/devkit';
import { API_KEY, BOARD, CHROMIUM_PATH, phoneNumbers, startStack, type Stack } from './ui-helpers';

const hasChromium = existsSync(CHROMIUM_PATH);
if (!hasChromium) {
  console.warn(
    `ui.test: no Chromium at ${CHROMIUM_PATH}: the browser tests are SKIPPED ` +
      '(apt-get install -y chromium, or set CHROMIUM_PATH)',
  );
}
const browserIt = hasChromium ? it : it.skip;

const text = async (l: Locator) => ((await l.textContent({ timeout: 2_000 })) ?? '').trim();
const count = async (l: Locator) => Number((await text(l)).replace(/\D/g, ''));

describe('ui: the campaign page', () => {
  let stack: Stack;
  let browser: Browser | undefined;
  const pageErrors: Error[] = [];
  const foreignRequests: string[] = [];

  beforeAll(async () => {
    stack = await startStack({ sendRate: 20 });
    if (hasChromium) {
      browser = await chromium.launch({
        executablePath: CHROMIUM_PATH,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
      });
    }
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  async function openPage(): Promise<Page> {
    const context = await browser!.newContext({ httpCredentials: BOARD, viewport: { width: 1200, height: 1000 } });
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err));
    page.on('request', (req) => {
      if (!req.url().startsWith(`${stack.url}/`)) foreignRequests.push(req.url());
    });
    await page.goto(`${stack.url}/ui`);
    return page;
  }

  async function upload(
    page: Page,
    csv: string,
    fields: { name: string; caption?: string; country?: string },
  ): Promise<void> {
    await page.getByLabel('Campaign name').fill(fields.name);
    await page.getByLabel(/^Country/).fill(fields.country ?? '');
    await page.getByLabel('Image URL').fill(`${stack.sandbox.url}/images/sample.jpg`);
    if (fields.caption) await page.getByLabel(/^Caption/).fill(fields.caption);
    await page
      .getByLabel(/^Recipient list/)
      .setInputFiles({ name: 'recipients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload' }).click();
  }

  /** Waits for the upload's answer on the page; returns the new campaign's card. */
  async function uploaded(page: Page): Promise<{ id: string; result: Locator; card: Locator }> {
    const result = page.getByTestId('upload-ok');
    const error = page.getByTestId('upload-error');
    await result.or(error).waitFor();
    if (await error.isVisible()) throw new Error(`upload refused: ${await text(error)}`);
    const id = await text(result.getByTestId('upload-id'));
    const card = page.getByTestId(`campaign-${id}`);
    await card.waitFor();
    return { id, result, card };
  }

  it('serves the page, its script and its style behind basic auth, with a session cookie and no token', async () => {
    const basic = `Basic ${Buffer.from(`${BOARD.username}:${BOARD.password}`).toString('base64')}`;
    const anonymous = await stack.app.inject({ url: '/ui' });
    expect(anonymous.statusCode).toBe(401);
    // A Basic challenge, or browsers never ask for the password.
    expect(anonymous.headers['www-authenticate']).toMatch(/^Basic realm="sobot"/);
    expect(
      (await stack.app.inject({ url: '/ui/app.js', headers: { authorization: 'Basic b3BlcmF0b3I6d3Jvbmc=' } }))
        .statusCode,
    ).toBe(401);

    const html = await stack.app.inject({ url: '/ui', headers: { authorization: basic } });
    expect(html.statusCode).toBe(200);
    expect(html.headers['content-type']).toMatch(/^text\/html/);
    expect(html.headers['cache-control']).toBe('no-store');
    expect(html.headers['content-security-policy']).toContain("default-src 'none'");
    expect(html.body).not.toContain('api-token');
    expect(html.headers['set-cookie']).toMatch(
      /^sobot_page=[\w-]{43}; Path=\/v1; Max-Age=\d+; HttpOnly; SameSite=Strict$/,
    );
    const js = await stack.app.inject({ url: '/ui/app.js', headers: { authorization: basic } });
    const css = await stack.app.inject({ url: '/ui/app.css', headers: { authorization: basic } });
    expect([js.statusCode, css.statusCode]).toEqual([200, 200]);
    expect(js.headers['content-type']).toMatch(/^text\/javascript/);
    expect(css.headers['content-type']).toMatch(/^text\/css/);
    // Nothing from the internet, and no data turned into markup.
    expect(html.body).not.toMatch(/(?:src|href)="(?:https?:)?\/\//);
    expect(css.body).not.toMatch(/@import|url\(/);
    expect(js.body).not.toMatch(/innerHTML|outerHTML|insertAdjacentHTML|document\.write/);
  });

  browserIt('uploads a list, pauses and resumes it, and sends every number exactly once', async () => {
    const page = await openPage();
    const numbers = phoneNumbers('9198100', 80);
    // 80 valid rows, one duplicate, two bad numbers (data rows 82 and 83).
    const csv = [
      'phone,name',
      ...numbers.map((n, i) => `${n},Person ${i}`),
      `${numbers[0]},Again`,
      '12,Too short',
      'abc,Not a number',
    ].join('\n');
    const name = 'Spring <b>"launch"</b> & co';
    await upload(page, csv, { name, caption: 'Hello <img src=x onerror=alert(1)>' });

    const { id, result, card } = await uploaded(page);
    expect(await count(result.getByTestId('upload-total'))).toBe(83);
    expect(await count(result.getByTestId('upload-accepted'))).toBe(80);
    expect(await count(result.getByTestId('upload-rejected'))).toBe(2);
    expect(await count(result.getByTestId('upload-duplicates'))).toBe(1);
    // Where the numbers are from (SPEC §20): all Indian, and so the list's country, inferred.
    expect(await text(result.getByTestId('upload-countries'))).toMatch(/^Countries: IN 80 — .*inferred/);
    expect(await text(result.getByTestId('upload-country'))).toBe('IN');
    // Data rows 82 and 83 are lines 83 and 84 of the file, as a spreadsheet shows them (the header is line 1).
    expect(await page.getByTestId('row-error-line').allTextContents()).toEqual(['83', '84']);
    // The name is user input: shown as text, never parsed as markup.
    expect(await text(card.getByTestId('name'))).toBe(name);
    expect(await card.locator('b, img').count()).toBe(0);

    // Pause once the first messages went out, so it lands mid-campaign.
    await waitFor(() => stack.sandbox.stats().total > 0, { timeoutMs: 15_000, what: 'the first send' });
    await card.getByTestId('btn-pause').click();
    await waitFor(async () => (await text(card.getByTestId('status'))) === 'paused', {
      timeoutMs: 5_000,
      what: 'status paused',
    });
    expect(await card.getByTestId('btn-resume').isEnabled()).toBe(true);
    expect(await card.getByTestId('btn-pause').isDisabled()).toBe(true);
    // In-flight requests may still land; after that nothing more arrives for 1.5 s.
    const received = await settled(() => stack.sandbox.stats().total, 1_500, 6_000);
    expect(received).toBeLessThan(numbers.length);
    expect(await count(card.getByTestId('sent'))).toBeLessThan(numbers.length);

    await card.getByTestId('btn-resume').click();
    await waitFor(
      async () =>
        (await text(card.getByTestId('status'))) === 'completed' && (await count(card.getByTestId('sent'))) === 80,
      {
        timeoutMs: 30_000,
        what: 'the page to show completed with 80 sent',
      },
    );
    expect(await count(card.getByTestId('pending'))).toBe(0);
    expect(await count(card.getByTestId('failed'))).toBe(0);
    expect(await card.getByTestId('progress').getAttribute('aria-valuenow')).toBe('80');
    expect(await text(card.getByTestId('percent'))).toMatch(/^100 %/);
    expect(await card.getByTestId('btn-cancel').isDisabled()).toBe(true);

    const byNumber = stack.sandbox.stats().byNumber;
    expect(Object.keys(byNumber).sort()).toEqual([...numbers].sort());
    expect(Object.values(byNumber).every((n) => n === 1)).toBe(true);

    // The report downloads with the page session, through a blob URL.
    const [report] = await Promise.all([page.waitForEvent('download'), card.getByTestId('btn-report').click()]);
    expect(report.suggestedFilename()).toBe(`report-${id}.csv`);
    const lines = readFileSync(await report.path(), 'utf8')
      .trim()
      .split(/\r?\n/);
    expect(lines).toHaveLength(81);
    expect(lines.slice(1).every((l) => l.split(',')[2] === 'sent')).toBe(true);
    // Offered first: the workbook, same rows, numbers as text cells.
    const downloads = card.locator('.downloads button');
    expect(await downloads.first().getAttribute('data-testid')).toBe('btn-report-xlsx');
    const [xlsx] = await Promise.all([page.waitForEvent('download'), card.getByTestId('btn-report-xlsx').click()]);
    expect(xlsx.suggestedFilename()).toBe(`report-${id}.xlsx`);
    const book = new ExcelJS.Workbook();
    await book.xlsx.readFile(await xlsx.path());
    const column = book.worksheets[0]!.getColumn(1).values.slice(2);
    expect([...column].sort()).toEqual(
      lines
        .slice(1)
        .map((l) => l.split(',')[0])
        .sort(),
    );
    const [rejected] = await Promise.all([page.waitForEvent('download'), card.getByTestId('btn-rejected').click()]);
    expect(readFileSync(await rejected.path(), 'utf8')).toContain('83');

    await page.screenshot({ path: '/tmp/ui.png', fullPage: true });
    expect(pageErrors).toEqual([]);
    expect(foreignRequests).toEqual([]);
  });

  browserIt('shows the API error message when an upload is refused, and creates nothing', async () => {
    const csv = 'name,city\nAnn,Paris\n';
    const direct = await fetch(
      `${stack.url}/v1/campaigns?dry_run=true` +
        `&image_url=${encodeURIComponent(`${stack.sandbox.url}/images/sample.jpg`)}`,
      {
        method: 'POST',
        headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' },
        body: csv,
      },
    );
    expect(direct.status).toBe(400);
    const { error } = (await direct.json()) as { error: { message: string } };

    const campaigns = async () =>
      (
        (await (
          await fetch(`${stack.url}/v1/campaigns`, { headers: { authorization: `Bearer ${API_KEY}` } })
        ).json()) as { campaigns: unknown[] }
      ).campaigns;
    const before = (await campaigns()).length;

    const page = await openPage();
    await upload(page, csv, { name: 'no phone column' });
    const shown = page.getByTestId('upload-error');
    await shown.waitFor();
    expect(await text(shown.getByTestId('upload-error-message'))).toBe(error.message);
    expect(await shown.getAttribute('role')).toBe('alert');
    expect(await campaigns()).toHaveLength(before);
    expect(pageErrors).toEqual([]);
  });

  browserIt('reads bare numbers in the country typed in the form, and says so', async () => {
    const page = await openPage();
    await upload(page, 'phone,name\n6581234567,Bare\n+91 99700 00001,Coded\n', {
      name: 'country field',
      country: 'in',
    });
    const { result } = await uploaded(page);
    expect(await count(result.getByTestId('upload-accepted'))).toBe(2);
    expect(await text(result.getByTestId('upload-countries'))).toMatch(/^Countries: IN 2 — .* in IN \(as asked\)$/);
    expect(pageErrors).toEqual([]);
  });

  browserIt('groups failures by code and sends them again on retry-failed', async () => {
    const page = await openPage();
    const numbers = phoneNumbers('9198300', 10);
    const closed = numbers.slice(0, 3);
    stack.sandbox.setFaults({ closedNumbers: closed });
    let card: Locator;
    try {
      await upload(page, ['phone,name', ...numbers.map((n) => `${n},P`)].join('\n'), { name: 'with failures' });
      ({ card } = await uploaded(page));
      await waitFor(async () => (await text(card.getByTestId('status'))) === 'completed', {
        timeoutMs: 20_000,
        what: 'completed',
      });
      expect(await count(card.getByTestId('failed'))).toBe(3);
      const rows = card.getByTestId('failures').locator('tbody tr');
      expect(await rows.count()).toBe(1);
      expect(await text(rows.locator('td').nth(1))).toBe('3');
      expect(await text(rows.locator('td').nth(2))).not.toBe('');
    } finally {
      stack.sandbox.setFaults({ closedNumbers: [] });
    }
    // 131047 is permanent: the default retry leaves the three and the page asks, saying why, before sending them.
    let question = '';
    page.once('dialog', (d) => {
      question = d.message();
      void d.accept();
    });
    await card.getByTestId('btn-retry-failed').click();
    await waitFor(async () => /^3 failed recipients/.test(await text(card.getByTestId('card-message'))), {
      timeoutMs: 5_000,
      what: 'the retry note',
    });
    await waitFor(
      async () =>
        (await text(card.getByTestId('status'))) === 'completed' && (await count(card.getByTestId('sent'))) === 10,
      {
        timeoutMs: 20_000,
        what: 'the retried failures to be sent',
      },
    );
    expect(question).toContain('3 refused for good by WhatsApp (131047 ×3)');
    expect(await card.getByTestId('failures').isHidden()).toBe(true);
    expect(await card.getByTestId('btn-retry-failed').isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });

  browserIt('the same list twice shows the campaign that has it, and "Send anyway" uploads it with force', async () => {
    const page = await openPage();
    const csv = ['phone,name', ...phoneNumbers('9198600', 5).map((n) => `${n},D`)].join('\n');
    await upload(page, csv, { name: 'first of two' });
    const { id } = await uploaded(page);
    await upload(page, csv, { name: 'second of two' });
    const shown = page.getByTestId('upload-duplicate');
    await shown.waitFor();
    expect(await text(shown)).toContain(`“first of two” (${id})`);
    expect(await text(page.getByTestId('upload-error'))).toContain('DUPLICATE_UPLOAD');
    await shown.getByTestId('upload-force').click();
    const again = await uploaded(page);
    expect(again.id).not.toBe(id);
    expect(pageErrors).toEqual([]);
  });

  browserIt('asks before cancelling, and a cancelled campaign sends nothing more', async () => {
    const page = await openPage();
    const numbers = phoneNumbers('9198200', 300);
    // No name column: the operator asks for the number as the name.
    await page.getByLabel(/number as the name/).check();
    await upload(page, ['phone', ...numbers].join('\n'), { name: 'to be cancelled' });
    const { card } = await uploaded(page);

    page.once('dialog', (d) => void d.dismiss());
    await card.getByTestId('btn-cancel').click();
    expect(['queued', 'running']).toContain(await text(card.getByTestId('status')));

    page.once('dialog', (d) => void d.accept());
    await card.getByTestId('btn-cancel').click();
    await waitFor(async () => (await text(card.getByTestId('status'))) === 'cancelled', {
      timeoutMs: 5_000,
      what: 'status cancelled',
    });
    const sentHere = () => {
      const byNumber = stack.sandbox.stats().byNumber;
      return numbers.filter((n) => byNumber[n]).length;
    };
    const sent = await settled(sentHere, 1_500, 6_000);
    expect(sent).toBeLessThan(numbers.length);
    await waitFor(async () => (await count(card.getByTestId('cancelled'))) === numbers.length - sent, {
      timeoutMs: 5_000,
      what: 'the cancelled count',
    });
    expect(await count(card.getByTestId('pending'))).toBe(0);
    // Stopped part way: the page says where, never "100 %" (cancelled recipients are not done).
    const percent = await text(card.getByTestId('percent'));
    expect(percent).toMatch(/^cancelled at \d{1,2} % · /);
    expect(percent).not.toContain('100 %');
    expect(await card.getByTestId('btn-resume').isDisabled()).toBe(true);
    expect(pageErrors).toEqual([]);
  });
});
