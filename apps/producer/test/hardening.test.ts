/**
 * SPEC §14 hardening at the HTTP edge, through the real app (fastify inject) and a real Redis: /metrics behind
 * METRICS_TOKEN, and error answers that quote at most a bounded part of what the caller sent.
 */
import type { FastifyInstance } from 'fastify';
import { PREFLIGHT_NEUTRAL_MESSAGE } from '@sobot/campaigns';
import { createLogger } from '@sobot/config';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { Store } from '@sobot/store';
import { buildApp } from '../src/app';
import { producerConfigSchema } from '../src/config';

const API_KEY = 'hardening-key';
const METRICS_TOKEN = 'metrics-token-5b1f';

let redis: TestRedis;
let sandbox: Sandbox;
const stores: Store[] = [];
const apps: FastifyInstance[] = [];

async function app(env: Record<string, string> = {}): Promise<FastifyInstance> {
  const cfg = producerConfigSchema.parse({
    API_KEYS: API_KEY,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    ...env,
  });
  const store = Store.open(
    { url: redis.url, prefix: redis.prefix, resultTtlDays: cfg.RESULT_TTL_DAYS },
    createLogger('store', 'silent'),
  );
  stores.push(store);
  const built = await buildApp({ cfg, store });
  apps.push(built);
  return built;
}

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({});
});

afterAll(async () => {
  for (const a of apps) await a.close();
  for (const s of stores) await s.close();
  await sandbox?.close();
  await redis?.close();
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
