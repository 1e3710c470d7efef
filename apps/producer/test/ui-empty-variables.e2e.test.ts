/** SPEC §20: the page's dry run shows how many rows render a caption variable empty (`Hi Asha from !`). */
import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';
import { BOARD, CHROMIUM_PATH, phoneNumbers, startStack, type Stack } from './ui-helpers';

const hasChromium = existsSync(CHROMIUM_PATH);
const browserIt = hasChromium ? it : it.skip;

describe('ui: empty caption variables', () => {
  let stack: Stack;
  let browser: Browser | undefined;

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

  browserIt('a dry run names each variable some rows leave empty, and how many', async () => {
    const context = await browser!.newContext({ httpCredentials: BOARD });
    const page = await context.newPage();
    await page.goto(`${stack.url}/ui`);
    const [a, b, c] = phoneNumbers('9198200', 3);
    const csv = ['phone,name,city', `${a},Asha,`, `${b},Bala,`, `${c},Chitra,Pune`].join('\n');
    await page.getByLabel('Campaign name').fill('empty variables');
    await page.getByLabel('Image URL').fill(`${stack.sandbox.url}/images/sample.jpg`);
    await page.getByLabel(/^Caption/).fill('Hi {{name}} from {{city}}!');
    await page.getByTestId('dry-run').check();
    await page
      .getByLabel(/^Recipient list/)
      .setInputFiles({ name: 'recipients.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
    await page.getByRole('button', { name: 'Upload' }).click();
    const shown = page.getByTestId('upload-empty-variables');
    await shown.waitFor();
    expect(await shown.textContent()).toContain('{{city}} in 2 rows');
    await context.close();
  });
});
