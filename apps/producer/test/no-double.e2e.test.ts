/**
 * Issue 19, "the right person, once" (SPEC §20, §13): retry-failed takes only what can succeed, never what may have
 * gone out; the same upload twice is a 409 naming the first. Real producer and worker processes, real Redis, the
 * sandbox over loopback.
 */
import IORedis from 'ioredis';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { json, startSystem, startTestRedis, type System, type TestRedis } from '@sobot/devkit';

let redis: TestRedis;
let sandbox: Sandbox;
let sys: System;
let image: string;
let client: IORedis;

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ apiKey: 'test-key', apiSecret: 'test-secret', faults: { latencyMs: 2 } });
  // One round of three requests per message: a 5xx number fails within a second.
  sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl: sandbox.url,
    workers: 1,
    workerEnv: { SEND_RATE: '200', MAX_ATTEMPTS: '1' },
  });
  image = `${sandbox.url}/images/sample.jpg`;
  client = new IORedis(redis.url);
}, 90_000);

afterAll(async () => {
  client?.disconnect();
  await sys?.close();
  await sandbox?.close();
  await redis?.close();
});

beforeEach(() => sandbox.reset());

const numbersFrom = (prefix: string, n: number) =>
  Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(12 - prefix.length, '0')}`);
const csvOf = (numbers: string[]) => `phone,name\n${numbers.map((x) => `${x},Name ${x.slice(-3)}`).join('\n')}\n`;
const post = (path: string, body?: unknown) =>
  sys.api(path, {
    method: 'POST',
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
/** Requests the sandbox received for `number`, whatever it answered. */
const requested = (number: string) => sandbox.stats().received.filter((r) => r.number === number).length;
const ended = (id: string) =>
  sys.waitForCampaign(id, (c) => (c.status === 'completed' || c.status === 'paused') && c.counts.pending === 0);

/** The campaign ids that have keys in Redis (`<prefix>:{c:<id>}:…`). */
async function campaignsInRedis(): Promise<Set<string>> {
  const ids = new Set<string>();
  let cursor = '0';
  do {
    const [next, keys] = await client.scan(cursor, 'MATCH', `${redis.prefix}:{c:*`, 'COUNT', 1000);
    cursor = next;
    for (const k of keys) ids.add(/\{c:([^}]+)\}/.exec(k)![1]!);
  } while (cursor !== '0');
  return ids;
}

describe('retry-failed (SPEC §20)', () => {
  test('takes only the retryable failures; include=all takes the rest; the breaker stays quiet', async () => {
    const all = numbersFrom('9196', 60);
    const down = all.slice(0, 6); // 5xx on every request: retries exhausted
    const undeliverable = all.slice(6, 14); // 131026
    const closed = all.slice(14, 20); // 131047
    const unsure = all.slice(20, 24); // 200 without a wamid
    const fine = all.slice(24);
    sandbox.setFaults({
      errorNumbers: down,
      noWamidNumbers: unsure,
      numberCodes: Object.fromEntries(undeliverable.map((n) => [n, 131026])),
      closedNumbers: closed,
    });
    const up = await sys.upload(csvOf(all), { image_url: image });
    expect(up.status).toBe(202);
    const id = up.body.id as string;
    const first = await ended(id);
    expect(first.status).toBe('completed');
    expect(first.counts).toMatchObject({ sent: 36, failed: 24 });
    const codes = Object.fromEntries(first.failure_reasons.map((r) => [r.code, r.count]));
    expect(codes).toEqual({ HTTP_503: 6, '131026': 8, '131047': 6, NO_WAMID: 4 });
    const before = Object.fromEntries(all.map((n) => [n, requested(n)]));
    for (const n of down) expect(before[n]).toBe(3);
    for (const n of [...undeliverable, ...closed, ...unsure, ...fine]) expect(before[n]).toBe(1);

    // The upstream is well again; a default retry still must not re-request what may have gone out or can't go.
    sandbox.setFaults({ errorNumbers: [], noWamidNumbers: [], numberCodes: {}, closedNumbers: [] });
    const retry = await json(await post(`/v1/campaigns/${id}/retry-failed`));
    expect(retry).toMatchObject({
      include: 'retryable',
      reset: 6,
      retried: 6,
      left: { permanent: 14, no_wamid: 4, marketing_limit: 0 },
      by_code: {
        HTTP_503: { retried: 6, left: 0 },
        '131026': { retried: 0, left: 8, reason: 'permanent' },
        '131047': { retried: 0, left: 6, reason: 'permanent' },
        NO_WAMID: { retried: 0, left: 4, reason: 'no_wamid' },
      },
    });
    expect(retry.counts).toMatchObject({ failed: 18, pending: 6 });
    const second = await sys.waitForCampaign(id, (c) => c.status === 'completed' && c.counts.sent === 42);
    expect(second).toMatchObject({ status: 'completed', paused_reason: null });
    expect(second.counts).toMatchObject({ sent: 42, failed: 18, pending: 0 });
    for (const n of all) expect(requested(n)).toBe(before[n]! + (down.includes(n) ? 1 : 0));

    // include=all (here as a JSON body) takes the permanent ones and the unsure ones too.
    const rest = await json(await post(`/v1/campaigns/${id}/retry-failed`, { include: 'all' }));
    expect(rest).toMatchObject({
      include: 'all',
      retried: 18,
      left: { permanent: 0, no_wamid: 0, marketing_limit: 0 },
    });
    const third = await sys.waitForCampaign(id, (c) => c.status === 'completed' && c.counts.sent === 60);
    expect(third.counts).toMatchObject({ sent: 60, failed: 0, pending: 0 });
    expect(third.paused_reason).toBeNull();
    for (const n of all) expect(requested(n)).toBe(before[n]! + (fine.includes(n) ? 0 : 1));

    // Nothing failed any more: nothing to take.
    expect(await json(await post(`/v1/campaigns/${id}/retry-failed?include=all`))).toMatchObject({
      retried: 0,
      left: { permanent: 0, no_wamid: 0, marketing_limit: 0 },
      by_code: {},
    });
  });

  test('a default retry re-requests no permanent failure and leaves the campaign as it was', async () => {
    const all = numbersFrom('9195', 60);
    const undeliverable = all.slice(0, 20);
    sandbox.setFaults({ numberCodes: Object.fromEntries(undeliverable.map((n) => [n, 131026])) });
    const up = await sys.upload(csvOf(all), { image_url: image });
    const id = up.body.id as string;
    expect((await ended(id)).counts).toMatchObject({ sent: 40, failed: 20 });
    const retry = await json(await post(`/v1/campaigns/${id}/retry-failed`));
    expect(retry).toMatchObject({ retried: 0, left: { permanent: 20 }, status: 'completed' });
    const after = await sys.campaign(id);
    expect(after).toMatchObject({ status: 'completed', paused_reason: null });
    for (const n of undeliverable) expect(requested(n)).toBe(1);
  });
});

describe('DUPLICATE_UPLOAD (SPEC §20)', () => {
  test('a list sent twice is 409 naming the first, even re-sorted/renamed; none left; force=true sends', async () => {
    const numbers = numbersFrom('9194', 30);
    const options = { image_url: image, caption: 'Hello {name}' };
    const first = await sys.upload(csvOf(numbers), { ...options, name: 'spring sale' });
    expect(first.status).toBe(202);
    const id = first.body.id as string;
    await sys.waitForCampaign(id, (c) => c.status === 'completed');
    const listed = (await json(await sys.api('/v1/campaigns?limit=200'))).campaigns.length;
    const inRedis = await campaignsInRedis();

    const again = await sys.upload(csvOf(numbers), { ...options, name: 'spring sale' });
    expect(again.status).toBe(409);
    expect(again.body.error).toMatchObject({
      code: 'DUPLICATE_UPLOAD',
      details: { campaign: { id, name: 'spring sale', created_at: expect.any(String) } },
    });
    expect(again.body.error.message).toContain(id);
    expect(Date.parse(again.body.error.details.campaign.created_at)).toBeGreaterThan(Date.now() - 120_000);
    // Rows in another order, another campaign name: still the same recipients and message.
    const shuffled = [...numbers].reverse();
    const resorted = await sys.upload(csvOf(shuffled), { ...options, name: 'copy' });
    expect([resorted.status, resorted.body.error.code, resorted.body.error.details.campaign.id]).toEqual([
      409,
      'DUPLICATE_UPLOAD',
      id,
    ]);
    // A dry run says nothing is wrong and records nothing.
    expect((await sys.upload(csvOf(numbers), { ...options, dry_run: 'true' })).status).toBe(200);
    expect((await json(await sys.api('/v1/campaigns?limit=200'))).campaigns.length).toBe(listed);
    expect(await campaignsInRedis()).toEqual(inRedis);
    for (const n of numbers) expect(requested(n)).toBe(1);

    // Another caption, or one more recipient, is another message: accepted.
    const otherCaption = await sys.upload(csvOf(numbers), { ...options, caption: 'Hi {name}' });
    expect(otherCaption.status).toBe(202);
    await post(`/v1/campaigns/${otherCaption.body.id}/cancel`);

    const forced = await sys.upload(csvOf(numbers), { ...options, force: 'true' });
    expect(forced.status).toBe(202);
    expect(forced.body.id).not.toBe(id);
    await sys.waitForCampaign(forced.body.id, (c) => c.status === 'completed');
    for (const n of numbers) expect(sandbox.stats().byNumber[n]).toBeGreaterThanOrEqual(2);
    // From now on the hash names the forced campaign.
    const third = await sys.upload(csvOf(numbers), options);
    expect([third.status, third.body.error.details.campaign.id]).toEqual([409, forced.body.id]);
  });

  test('two identical uploads at once make one campaign; a cancelled campaign still blocks its double', async () => {
    const numbers = numbersFrom('9193', 400);
    const body = csvOf(numbers);
    const [a, b] = await Promise.all([sys.upload(body, { image_url: image }), sys.upload(body, { image_url: image })]);
    expect([a.status, b.status].sort()).toEqual([202, 409]);
    const made = a.status === 202 ? a : b;
    const refused = a.status === 202 ? b : a;
    expect(refused.body.error.details.campaign.id).toBe(made.body.id);
    expect((await json(await post(`/v1/campaigns/${made.body.id}/cancel`))).status).toBe('cancelled');
    const after = await sys.upload(body, { image_url: image });
    expect([after.status, after.body.error?.code]).toEqual([409, 'DUPLICATE_UPLOAD']);
  });
});
