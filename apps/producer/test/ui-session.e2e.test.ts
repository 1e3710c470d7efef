/**
 * The campaign page's session (SPEC §22, issue 20): after basic auth the page gets a random server-side session in
 * an HttpOnly, SameSite=Strict cookie, never a bearer token derived from the password; the cookie works for /v1 only
 * from this origin, ends at logout or expiry; repeated wrong passwords from one address get 429 with Retry-After.
 * Real producer over loopback, real Redis, headless Chromium for the page itself.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import IORedis from 'ioredis';
import { chromium, type Browser } from 'playwright-core';
import { pageCookie } from '../src/auth';
import { BOARD, CHROMIUM_PATH, startStack, type Stack } from './ui-helpers';

const hasChromium = existsSync(CHROMIUM_PATH);
const browserIt = hasChromium ? it : it.skip;
const basic = `Basic ${Buffer.from(`${BOARD.username}:${BOARD.password}`).toString('base64')}`;

let stack: Stack;
let admin: IORedis;
let browser: Browser | undefined;

beforeAll(async () => {
  stack = await startStack({ sendRate: 20 });
  admin = new IORedis(stack.redis.url);
  if (hasChromium) {
    browser = await chromium.launch({
      executablePath: CHROMIUM_PATH,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  }
});

afterAll(async () => {
  await browser?.close();
  admin?.disconnect();
  await stack?.stop();
});

/** Loads /ui with the board credentials; the session id its cookie carries and the page source. */
async function openSession(): Promise<{ id: string; html: string; cookie: string }> {
  const res = await fetch(`${stack.url}/ui`, { headers: { authorization: basic } });
  expect(res.status).toBe(200);
  const cookie = res.headers.get('set-cookie') ?? '';
  const id = /^sobot_page=([^;]+)/.exec(cookie)?.[1];
  if (!id) throw new Error(`no session cookie in ${cookie}`);
  return { id, html: await res.text(), cookie };
}

const v1 = (path: string, id: string, init: RequestInit & { headers?: Record<string, string> } = {}) =>
  fetch(`${stack.url}${path}`, {
    ...init,
    headers: { cookie: `sobot_page=${id}`, 'sec-fetch-site': 'same-origin', ...(init.headers ?? {}) },
  });

describe('the session cookie', () => {
  it('is HttpOnly, SameSite=Strict, for /v1 only, expiring; the page source holds no token', async () => {
    const { id, html, cookie } = await openSession();
    expect(cookie).toMatch(/; HttpOnly/);
    expect(cookie).toMatch(/; SameSite=Strict/);
    expect(cookie).toMatch(/; Path=\/v1/);
    expect(cookie).toMatch(/; Max-Age=\d+/);
    expect(cookie).not.toMatch(/Secure/); // plain http here; over https it is Secure:
    expect(pageCookie('x', true)).toMatch(/; Secure$/);
    // Nothing derived from the password (the old page token), no session id, no token of any kind in the page.
    const derived = createHash('sha256').update(`sobot-page\0${BOARD.username}\0${BOARD.password}`).digest('base64url');
    expect(html).not.toContain(derived);
    expect(html).not.toContain(id);
    expect(html).not.toMatch(/token/i);
    const js = await (await fetch(`${stack.url}/ui/app.js`, { headers: { authorization: basic } })).text();
    expect(js).not.toMatch(/authorization|Bearer/);
    // That old token opens nothing any more.
    const old = await fetch(`${stack.url}/v1/suppressions/919812345678`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${derived}` },
    });
    expect(old.status).toBe(401);
    // Two loads, two random sessions.
    expect((await openSession()).id).not.toBe(id);
  });

  it('authorises /v1 from this origin: reads, and a same-origin POST', async () => {
    const { id } = await openSession();
    expect((await v1('/v1/campaigns', id)).status).toBe(200);
    const host = new URL(stack.url).host;
    const own = await v1('/v1/campaigns/cnotacampaign0000/pause', id, {
      method: 'POST',
      headers: { origin: `http://${host}` },
    });
    expect(own.status).toBe(404); // authorised; the campaign does not exist
    expect((await fetch(`${stack.url}/v1/campaigns`)).status).toBe(401);
    expect((await v1('/v1/campaigns', 'made-up-session-id')).status).toBe(401);
  });

  it('refuses a cross-site or cross-origin POST or DELETE that carries the cookie', async () => {
    const { id } = await openSession();
    const attempts: Array<Record<string, string>> = [
      { origin: 'https://evil.example' },
      { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      { origin: 'http://127.0.0.1:1' }, // same site, another origin
      { 'sec-fetch-site': 'same-site' },
      {}, // neither header: a POST must say where it comes from
    ];
    for (const headers of attempts) {
      for (const method of ['POST', 'DELETE']) {
        const path = method === 'POST' ? '/v1/campaigns/cnotacampaign0000/cancel' : '/v1/suppressions/919812345678';
        const res = await fetch(`${stack.url}${path}`, {
          method,
          headers: { cookie: `sobot_page=${id}`, ...headers },
        });
        expect([method, headers, res.status]).toEqual([method, headers, 403]);
        expect(((await res.json()) as { error: { code: string } }).error.code).toBe('CROSS_ORIGIN');
      }
    }
  });

  it('refuses an expired session', async () => {
    const { id } = await openSession();
    expect((await v1('/v1/campaigns', id)).status).toBe(200);
    const key = `${stack.redis.prefix}:ps:${createHash('sha256').update(id).digest('base64url')}`;
    expect(await admin.pttl(key)).toBeGreaterThan(7 * 3_600_000);
    // Its time runs out (Redis expires it as it would after PAGE_SESSION_MS).
    expect(await admin.pexpire(key, 1)).toBe(1);
    // Wait for Redis to say it is gone (EXISTS expires a key whose time has passed).
    while ((await admin.exists(key)) === 1) await new Promise((r) => setTimeout(r, 1));
    const res = await v1('/v1/campaigns', id);
    expect(res.status).toBe(401);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SESSION_EXPIRED');
  });

  it('ends at logout', async () => {
    const { id } = await openSession();
    const host = new URL(stack.url).host;
    const out = await v1('/v1/page-session', id, { method: 'DELETE', headers: { origin: `http://${host}` } });
    expect(out.status).toBe(204);
    expect(out.headers.get('set-cookie')).toMatch(/^sobot_page=; Path=\/v1; Max-Age=0/);
    expect((await v1('/v1/campaigns', id)).status).toBe(401);
  });
});

describe('wrong passwords', () => {
  it('are slowed: the 6th from one address in the window gets 429 + Retry-After, even with the right one', async () => {
    const wrong = `Basic ${Buffer.from(`${BOARD.username}:nope`).toString('base64')}`;
    const from = (authorization: string) =>
      stack.app.inject({ url: '/ui', remoteAddress: '10.9.8.7', headers: { authorization } });
    for (let i = 0; i < 5; i += 1) expect((await from(wrong)).statusCode).toBe(401);
    const sixth = await from(wrong);
    expect(sixth.statusCode).toBe(429);
    expect(Number(sixth.headers['retry-after'])).toBeGreaterThan(0);
    expect(sixth.json()).toMatchObject({ error: { code: 'TOO_MANY_AUTH_FAILURES' } });
    expect((await from(basic)).statusCode).toBe(429);
    // The board shares the count; another address is not held back.
    expect(
      (await stack.app.inject({ url: '/admin/queues', remoteAddress: '10.9.8.7', headers: { authorization: basic } }))
        .statusCode,
    ).toBe(429);
    expect(
      (await stack.app.inject({ url: '/ui', remoteAddress: '10.9.8.6', headers: { authorization: basic } })).statusCode,
    ).toBe(200);
  });
});

describe('in the browser', () => {
  browserIt('the page works on its cookie, which scripts cannot read, and logs out', async () => {
    const context = await browser!.newContext({ httpCredentials: BOARD });
    const page = await context.newPage();
    await page.goto(`${stack.url}/ui`);
    await page
      .getByTestId('list-status')
      .filter({ hasText: /Updated/ })
      .waitFor();
    expect(await page.evaluate('document.cookie')).toBe('');
    const cookies = await context.cookies(`${stack.url}/v1/campaigns`);
    expect(cookies).toEqual([
      expect.objectContaining({ name: 'sobot_page', httpOnly: true, sameSite: 'Strict', path: '/v1' }),
    ]);
    expect(await page.evaluate(async () => (await fetch('/v1/campaigns')).status)).toBe(200);
    await page.getByTestId('logout').click();
    await page.getByTestId('logged-out').waitFor();
    expect(await page.evaluate(async () => (await fetch('/v1/campaigns')).status)).toBe(401);
    await context.close();
  });
});
