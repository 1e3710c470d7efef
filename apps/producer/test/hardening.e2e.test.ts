/**
 * SPEC §14 hardening at the HTTP edge, through the real app (fastify inject) and a real Redis: /metrics behind
 * METRICS_TOKEN, and error answers that quote at most a bounded part of what the caller sent.
 */
import type { FastifyInstance } from 'fastify';
import { PREFLIGHT_NEUTRAL_MESSAGE } from '@sobot/campaigns';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { TestProducers } from './producers';

const API_KEY = 'hardening-key';
const METRICS_TOKEN = 'metrics-token-5b1f';

let producers: TestProducers;
let sandbox: Sandbox;

const app = async (env: Record<string, string> = {}): Promise<FastifyInstance> => (await producers.open(env)).app;

beforeAll(async () => {
  producers = await TestProducers.start(API_KEY);
  sandbox = await startSandbox({});
});

afterAll(async () => {
  await sandbox?.close();
  await producers?.close();
});

describe('/metrics', () => {
  it('asks for Authorization: Bearer <METRICS_TOKEN> when one is set', async () => {
    const server = await app({ METRICS_TOKEN });
    for (const authorization of [undefined, 'Bearer wrong-token', `Basic ${METRICS_TOKEN}`, `Bearer ${API_KEY}`]) {
      const res = await server.inject({ url: '/metrics', headers: authorization ? { authorization } : {} });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({
        error: { code: 'UNAUTHORIZED', message: expect.stringContaining('METRICS_TOKEN') },
      });
      expect(res.body).not.toContain('sobot_');
    }
    const ok = await server.inject({ url: '/metrics', headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
    expect(ok.statusCode).toBe(200);
    expect(ok.headers['content-type']).toMatch(/^text\/plain/);
    expect(ok.body).toMatch(/^# HELP /m);
  });

  it('is open when METRICS_TOKEN is unset, and the health probes stay open either way', async () => {
    const open = await app();
    const res = await open.inject({ url: '/metrics' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/^# HELP /m);
    const closed = await app({ METRICS_TOKEN });
    expect((await closed.inject({ url: '/healthz' })).statusCode).toBe(200);
    expect((await closed.inject({ url: '/readyz' })).statusCode).toBe(200);
  });
});

describe('error answers quote at most a bounded part of the input', () => {
  it('a 400,000-column header without a phone column is a short 400', async () => {
    const server = await app();
    // One letter a column keeps the header under the 1 MiB record limit.
    const header = Array.from({ length: 400_000 }, (_, i) => String.fromCharCode(97 + (i % 26))).join(',');
    const res = await server.inject({
      method: 'POST',
      url: '/v1/campaigns?image_url=https://cdn.example.com/a.jpg',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' },
      payload: `${header}\nAnn,Bob\n`,
    });
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'NO_PHONE_COLUMN',
      message: expect.stringMatching(/^no phone number column.*"a", "b", "c"/),
    });
    expect(res.json().error.message).toMatch(/\+\d+ more/);
    expect(res.body.length).toBeLessThan(2_000);
  });
});

describe('campaign names from file names', () => {
  it('a 5,000-character file name with terminal escapes becomes a capped name without control characters', async () => {
    const server = await app();
    const filename = `\u001b]0;pwned\u0007\u001b[2J${'x'.repeat(5_000)}.csv`;
    const boundary = 'sobotboundary';
    const body =
      `--${boundary}\r\nContent-Disposition: form-data; name="image_url"\r\n\r\nhttps://cdn.example.com/a.jpg\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${filename}"\r\n` +
      `Content-Type: text/csv\r\n\r\nphone,name\n919970000777,Ann\n\r\n--${boundary}--\r\n`;
    const res = await server.inject({
      method: 'POST',
      url: '/v1/campaigns',
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': `multipart/form-data; boundary=${boundary}` },
      payload: body,
    });
    expect(res.statusCode).toBe(202);
    const { name } = res.json() as { name: string };
    expect([...name].length).toBeLessThanOrEqual(200);
    // eslint-disable-next-line no-control-regex
    expect(name).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(name).toMatch(/^\]0;pwned \[2Jx+$/);
  });
});

describe('image pre-flight and ALLOW_PRIVATE_URLS', () => {
  const upload = (server: FastifyInstance, imageUrl: string) =>
    server.inject({
      method: 'POST',
      url: `/v1/campaigns?${new URLSearchParams({ image_url: imageUrl, preflight: 'true', dry_run: 'true' })}`,
      headers: { authorization: `Bearer ${API_KEY}`, 'content-type': 'text/csv' },
      payload: 'phone,name\n919955000001,A\n',
    });

  it('refuses an image on a loopback address by default, without saying what answered there', async () => {
    const image = `${sandbox.url}/images/sample.jpg`;
    const closed = await upload(await app(), image);
    expect(closed.statusCode).toBe(400);
    expect(closed.json()).toEqual({ error: { code: 'IMAGE_PREFLIGHT_FAILED', message: PREFLIGHT_NEUTRAL_MESSAGE } });
    const missing = await upload(await app({ ALLOW_PRIVATE_URLS: 'true' }), `${sandbox.url}/images/missing.jpg`);
    expect(missing.json()).toEqual(closed.json());
  });

  it('fetches it with ALLOW_PRIVATE_URLS=true', async () => {
    const res = await upload(await app({ ALLOW_PRIVATE_URLS: 'true' }), `${sandbox.url}/images/sample.jpg`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ dry_run: true, accepted: 1 });
  });
});
