/**
 * Who may be messaged (SPEC §12–§13, issue 13): the suppression API (JSON, CSV import and export), suppressed
 * numbers at upload and at send time, `window=skip` and 409 NO_INBOUND_EVENTS, the frequency cap across
 * campaigns, API messages and the suppression list, and the upstream answers that act on a number (131047,
 * 131049, 131050). Real Redis, real HTTP to the producer app, a send worker and the sandbox as the upstream.
 */
import type { AddressInfo } from 'node:net';
import type { FastifyInstance } from 'fastify';
import { createLogger } from '@sobot/config';
import { startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import {
  campaignViewSchema,
  messageViewSchema,
  suppressionImportSchema,
  suppressionListSchema,
  suppressionSchema,
  uploadResultSchema,
  type CampaignView,
  type ReportRow,
} from '@sobot/schema';
import { startSendWorker, type SendWorker } from '@sobot/sending';
import { AUDIENCE, Store } from '@sobot/store';
import { buildApp } from '../src/app';
import { producerConfigSchema } from '../src/config';

const KEY = 'audience-key';
const CAP_HOURS = 2;
const log = createLogger('audience-test', 'silent');

let redis: TestRedis;
let sandbox: Sandbox;
let store: Store;
let app: FastifyInstance;
let worker: SendWorker;
let base: string;
let image: string;

beforeAll(async () => {
  redis = await startTestRedis();
  sandbox = await startSandbox({ faults: { latencyMs: 5 } });
  image = `${sandbox.url}/images/sample.jpg`;
  const cfg = producerConfigSchema.parse({
    API_KEYS: KEY,
    REDIS_URL: redis.url,
    REDIS_PREFIX: redis.prefix,
    LOG_LEVEL: 'silent',
  });
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, log);
  app = await buildApp({ cfg, store });
  await app.listen({ port: 0, host: '127.0.0.1' });
  base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  worker = startSendWorker({
    store,
    log,
    sobot: { baseUrl: sandbox.url, apiKey: 'k', apiSecret: 's', timeoutMs: 5_000 },
    sendRate: 500,
    concurrency: 20,
    maxAttempts: 2,
    frequencyCapHours: CAP_HOURS,
  });
});

afterAll(async () => {
  await worker?.close();
  await app?.close();
  await store?.close();
  await sandbox?.close();
  await redis?.close();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${KEY}`, ...(init.headers ?? {}) } });
const postJson = (path: string, body: unknown) =>
  api(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

let series = 0;
/** `count` fresh 12-digit numbers, distinct across the file. */
function fresh(count: number): string[] {
  series += 1;
  return Array.from({ length: count }, (_, i) => `9196${String(series).padStart(3, '0')}${String(i).padStart(5, '0')}`);
}

async function upload(numbers: string[], query: Record<string, string> = {}) {
  const csv = `phone,name\n${numbers.map((n, i) => `${n},N${i}`).join('\n')}\n`;
  const res = await api(`/v1/campaigns?${new URLSearchParams({ image_url: image, ...query })}`, {
    method: 'POST',
    headers: { 'content-type': 'text/csv' },
    body: csv,
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function view(id: string): Promise<CampaignView> {
  return campaignViewSchema.parse(await (await api(`/v1/campaigns/${id}`)).json());
}

const done = (id: string) =>
  waitFor(
    async () => {
      const v = await view(id);
      return v.status === 'completed' ? v : undefined;
    },
    { timeoutMs: 30_000, intervalMs: 50, what: `campaign ${id} to complete` },
  );

async function report(id: string): Promise<Map<string, ReportRow>> {
  const rows = (await (await api(`/v1/campaigns/${id}/report?format=json`)).json()) as ReportRow[];
  return new Map(rows.map((r) => [r.customer_number, r]));
}

/** How many requests the sandbox got for each number since its last reset. */
const requested = (n: string) => sandbox.stats().received.filter((r) => r.number === n).length;

beforeEach(() => sandbox.reset());

describe('window=skip and NO_INBOUND_EVENTS', () => {
  // First in the file: no inbound message has arrived yet.
  test('no inbound message in 24 h: window=skip is 409 and leaves nothing; force=true skips them all', async () => {
    const numbers = fresh(3);
    const before = (await (await api('/v1/campaigns')).json()) as { campaigns: unknown[] };
    const refused = await upload(numbers, { window: 'skip' });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({ error: { code: 'NO_INBOUND_EVENTS' } });
    const after = (await (await api('/v1/campaigns')).json()) as { campaigns: unknown[] };
    expect(after.campaigns.length).toBe(before.campaigns.length);

    const forced = await upload(numbers, { window: 'skip', force: 'true' });
    expect(forced.status).toBe(202);
    expect(uploadResultSchema.parse(forced.body)).toMatchObject({ accepted: 3, in_window: 0, suppressed: 0 });
    const v = await done(forced.body.id as string);
    expect(v).toMatchObject({ window: 'skip', in_window: 0 });
    expect(v.counts).toMatchObject({ total: 3, sent: 0, skipped: 3 });
    expect(v.skip_reasons.map((r) => [r.code, r.count])).toEqual([['OUTSIDE_WINDOW', 3]]);
    for (const n of numbers) expect(requested(n)).toBe(0);
  });

  test('window=skip sends to numbers inside their window and skips the others (OUTSIDE_WINDOW)', async () => {
    const [inside, old, never] = fresh(3) as [string, string, string];
    await store.audience.openWindows([
      { number: inside, atMs: Date.now() - 3_600_000 },
      { number: old, atMs: Date.now() - 25 * 3_600_000 },
    ]);
    const up = await upload([inside, old, never], { window: 'skip' });
    expect(up.status).toBe(202);
    expect(up.body).toMatchObject({ accepted: 3, in_window: 1 });
    const v = await done(up.body.id as string);
    expect(v.counts).toMatchObject({ sent: 1, skipped: 2 });
    const rows = await report(v.id);
    expect(rows.get(inside)).toMatchObject({ status: 'sent' });
    expect(rows.get(old)).toMatchObject({ status: 'skipped', error_code: 'OUTSIDE_WINDOW' });
    expect(rows.get(never)).toMatchObject({ status: 'skipped', error_code: 'OUTSIDE_WINDOW' });
    expect([requested(inside), requested(old), requested(never)]).toEqual([1, 0, 0]);

    // window=send (the default) sends to all; in_window still says who was inside.
    const [alsoInside, ...others] = fresh(3) as [string, string, string];
    await store.audience.openWindows([{ number: alsoInside, atMs: Date.now() }]);
    const sent = await upload([alsoInside, ...others]);
    expect(sent.body).toMatchObject({ accepted: 3, in_window: 1 });
    expect((await done(sent.body.id as string)).counts).toMatchObject({ sent: 3, skipped: 0 });
  });
});

describe('the suppression API', () => {
  test('JSON: adds new numbers (normalised), keeps the first reason, refuses a list with a bad number', async () => {
    const [a, b] = fresh(2) as [string, string];
    const first = await postJson('/v1/suppressions', {
      numbers: [a, `+${b.slice(0, 2)} ${b.slice(2)}`, a],
      reason: 'asked',
    });
    expect(first.status).toBe(200);
    expect(suppressionImportSchema.parse(await first.json())).toMatchObject({
      received: 3,
      added: 2,
      already: 0,
      duplicates: 1,
    });
    const again = await postJson('/v1/suppressions', { numbers: [b], reason: 'other' });
    expect(await again.json()).toMatchObject({ added: 0, already: 1 });
    const one = suppressionSchema.parse(await (await api(`/v1/suppressions/${b}`)).json());
    expect(one).toMatchObject({ number: b, reason: 'asked' });
    // The path takes the number as an upload would write it.
    expect((await api(`/v1/suppressions/${encodeURIComponent(`+${b}`)}`)).status).toBe(200);

    const bad = await postJson('/v1/suppressions', { numbers: [fresh(1)[0], 'call me'] });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: { code: 'INVALID_NUMBERS', details: [{ index: 1 }] } });

    expect((await api(`/v1/suppressions/${a}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(`/v1/suppressions/${a}`)).status).toBe(404);
    expect((await api(`/v1/suppressions/${a}`, { method: 'DELETE' })).status).toBe(404);
    expect((await api('/v1/suppressions/not-a-number')).status).toBe(404);
    await api(`/v1/suppressions/${b}`, { method: 'DELETE' });
  });

  test('CSV import (header aliases; a bad row by row and line refuses all), export roundtrip; JSON pages', async () => {
    const numbers = fresh(5);
    const rows = [
      `A,${numbers[0]}`,
      `B,${numbers[1]}`,
      'C,12ab',
      ...numbers.slice(2).map((n, i) => `${'DEF'[i]},${n}`),
    ];
    const csv = `Name,Mobile No.\n${rows.join('\n')}\n`;
    const res = await api('/v1/suppressions?reason=import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    // All or nothing (SPEC §21): the bad row refuses the file, by row and line; no number is added.
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: {
        code: 'INVALID_ROWS',
        details: [expect.objectContaining({ row: 3, line: 4, field: 'customer_number' })],
      },
    });
    expect(suppressionListSchema.parse(await (await api('/v1/suppressions')).json()).total).toBe(0);
    const fixed = await api('/v1/suppressions?reason=import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv.replace('C,12ab\n', ''),
    });
    expect(fixed.status).toBe(200);
    const imported = suppressionImportSchema.parse(await fixed.json());
    expect(imported).toMatchObject({ received: 5, added: 5, rejected: 0, errors: [] });

    const list = async () => {
      const all: Array<{ number: string; reason: string | null }> = [];
      let cursor: string | null = null;
      do {
        const q: string = cursor ? `&cursor=${cursor}` : '';
        const page = suppressionListSchema.parse(await (await api(`/v1/suppressions?limit=2${q}`)).json());
        expect(page.suppressions.length).toBeLessThanOrEqual(2);
        all.push(...page.suppressions);
        cursor = page.next_cursor;
      } while (cursor);
      return all.sort((x, y) => x.number.localeCompare(y.number));
    };
    const listed = await list();
    expect(listed.map((s) => [s.number, s.reason])).toEqual(numbers.map((n) => [n, 'import']));

    const exported = await api('/v1/suppressions?format=csv');
    expect(exported.headers.get('content-type')).toContain('text/csv');
    const bytes = Buffer.from(await exported.arrayBuffer());
    const text = bytes.toString('utf8');
    // A BOM first (Excel reads UTF-8 only after one), then the header.
    expect(text.split('\r\n')[0]).toBe('\uFEFFnumber,reason,suppressed_at,source');
    for (const n of numbers) await api(`/v1/suppressions/${n}`, { method: 'DELETE' });
    expect(suppressionListSchema.parse(await (await api('/v1/suppressions')).json()).total).toBe(0);

    // The exported file imports back as it is.
    const back = await api('/v1/suppressions?reason=import', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: text,
    });
    expect(await back.json()).toMatchObject({ added: 5, rejected: 0 });
    // The numbers and the reason come back (the time is the import's).
    const pairs = (l: Array<{ number: string; reason: string | null }>) => l.map((x) => [x.number, x.reason]);
    expect(pairs(await list())).toEqual(pairs(listed));
    for (const n of numbers) await api(`/v1/suppressions/${n}`, { method: 'DELETE' });
  });
});

describe('suppressed numbers are not sent', () => {
  test('at upload: counted in `suppressed`, not queued, never requested', async () => {
    const numbers = fresh(6);
    await postJson('/v1/suppressions', { numbers: [numbers[1], numbers[4]] });
    const csv = `phone,name\n${numbers.map((n, i) => `${n},N${i}`).join('\n')}\n${numbers[0]},again\nbad,row\n`;
    // A dry run counts them the same way and keeps nothing.
    const dry = await api(`/v1/campaigns?image_url=${encodeURIComponent(image)}&dry_run=true`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    expect(await dry.json()).toMatchObject({ dry_run: true, total: 8, accepted: 4, suppressed: 2, duplicates: 1 });
    const res = await api(`/v1/campaigns?image_url=${encodeURIComponent(image)}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: csv,
    });
    const up = uploadResultSchema.parse(await res.json());
    expect(up).toMatchObject({ total: 8, accepted: 4, rejected: 1, duplicates: 1, suppressed: 2 });
    expect(up.accepted + up.rejected + up.duplicates + up.suppressed).toBe(up.total);
    const v = await done(up.id);
    expect(v.rows).toEqual({ total: 8, accepted: 4, rejected: 1, duplicates: 1, suppressed: 2 });
    expect(v.counts).toMatchObject({ total: 4, sent: 4, skipped: 0 });
    expect(requested(numbers[1]!) + requested(numbers[4]!)).toBe(0);
    expect((await report(up.id)).has(numbers[1]!)).toBe(false);
    await api(`/v1/suppressions/${numbers[1]}`, { method: 'DELETE' });
    await api(`/v1/suppressions/${numbers[4]}`, { method: 'DELETE' });
  });

  test('suppressed after the upload: skipped SUPPRESSED at send time, never requested', async () => {
    const numbers = fresh(4);
    const sendAt = new Date(Date.now() + 2_000).toISOString();
    const up = await upload(numbers, { send_at: sendAt });
    expect(up.status).toBe(202);
    expect(up.body).toMatchObject({ accepted: 4, suppressed: 0 });
    await postJson('/v1/suppressions', { numbers: [numbers[2]], reason: 'complaint' });
    const v = await done(up.body.id as string);
    expect(v.counts).toMatchObject({ total: 4, sent: 3, skipped: 1, failed: 0 });
    expect((await report(v.id)).get(numbers[2]!)).toMatchObject({ status: 'skipped', error_code: 'SUPPRESSED' });
    expect(requested(numbers[2]!)).toBe(0);
    expect(requested(numbers[0]!)).toBe(1);
    await api(`/v1/suppressions/${numbers[2]}`, { method: 'DELETE' });
  });

  test('API messages obey the list: accepted, then skipped SUPPRESSED, never requested', async () => {
    const [blocked, ok] = fresh(2) as [string, string];
    await postJson('/v1/suppressions', { numbers: [blocked] });
    const res = await postJson('/v1/messages', {
      messages: [
        { customer_number: blocked, customer_name: 'B', url: image },
        { customer_number: ok, customer_name: 'O', url: image },
      ],
    });
    expect(res.status).toBe(202);
    const { ids } = (await res.json()) as { ids: string[] };
    const final = (id: string) =>
      waitFor(
        async () => {
          const m = messageViewSchema.parse(await (await api(`/v1/messages/${id}`)).json());
          return m.status === 'pending' ? undefined : m;
        },
        { timeoutMs: 20_000, intervalMs: 50, what: `message ${id}` },
      );
    expect(await final(ids[0]!)).toMatchObject({ status: 'skipped', error_code: 'SUPPRESSED', wamid: null });
    expect(await final(ids[1]!)).toMatchObject({ status: 'sent' });
    expect(requested(blocked)).toBe(0);
    await api(`/v1/suppressions/${blocked}`, { method: 'DELETE' });
  });
});

describe('frequency cap (FREQUENCY_CAP_HOURS)', () => {
  test('a bulk message caps the number for the next bulk campaign; transactional: not counted nor capped', async () => {
    const [x, y, z] = fresh(3) as [string, string, string];
    const first = await upload([x]);
    expect((await done(first.body.id as string)).counts).toMatchObject({ sent: 1 });
    // z gets a transactional message first: it does not count.
    const message = await postJson('/v1/messages', { customer_number: z, customer_name: 'Z', url: image });
    expect(message.status).toBe(202);
    await waitFor(async () => requested(z) === 1, { timeoutMs: 20_000, what: 'the transactional message' });

    const second = await upload([x, y, z]);
    const v = await done(second.body.id as string);
    expect(v.counts).toMatchObject({ sent: 2, skipped: 1 });
    const rows = await report(v.id);
    expect(rows.get(x)).toMatchObject({ status: 'skipped', error_code: 'FREQUENCY_CAP' });
    expect(rows.get(x)!.error_message).toContain(`${CAP_HOURS} hours`);
    expect(requested(x)).toBe(1);
    expect(requested(z)).toBe(2);

    // x got a bulk message, but transactional messages are not capped.
    const again = await postJson('/v1/messages', { customer_number: x, customer_name: 'X', url: image });
    const { ids } = (await again.json()) as { ids: string[] };
    await waitFor(
      async () =>
        messageViewSchema.parse(await (await api(`/v1/messages/${ids[0]}`)).json()).status === 'sent' ? 1 : 0,
      { timeoutMs: 20_000, what: 'the transactional message to x' },
    );
  });
});

describe('upstream answers that act on the number (SPEC §13)', () => {
  test('131050 suppresses, 131047 closes the window, 131049 is not retried by retry-failed within 24 h', async () => {
    const [stopped, closed, limited, fine] = fresh(4) as [string, string, string, string];
    sandbox.setFaults({ numberCodes: { [stopped]: 131050, [closed]: 131047, [limited]: 131049 } });
    await store.audience.openWindows([{ number: closed, atMs: Date.now() }]);
    const up = await upload([stopped, closed, limited, fine]);
    expect(up.body).toMatchObject({ accepted: 4, in_window: 1 });
    const v = await done(up.body.id as string);
    expect(v.counts).toMatchObject({ sent: 1, failed: 3 });
    const rows = await report(v.id);
    expect(rows.get(stopped)).toMatchObject({ status: 'failed', error_code: '131050' });
    expect(rows.get(closed)).toMatchObject({ status: 'failed', error_code: '131047' });
    expect(rows.get(limited)).toMatchObject({ status: 'failed', error_code: '131049' });
    expect([requested(stopped), requested(closed), requested(limited)]).toEqual([1, 1, 1]);

    // 131050: the number is on the list, with the code as its reason.
    expect(suppressionSchema.parse(await (await api(`/v1/suppressions/${stopped}`)).json())).toMatchObject({
      reason: '131050',
      source: 'upstream',
    });
    // 131047: the number's window is closed.
    const [flags] = await store.audience.lookup([closed], { window: true });
    expect(flags! & AUDIENCE.inWindow).toBe(0);

    // By default retry-failed leaves all three (permanent, and 131049 within 24 h); with include=all it puts back
    // 131047 and 131050 but still leaves 131049; the suppressed number is then skipped.
    sandbox.setFaults({ numberCodes: {} });
    const kept = await api(`/v1/campaigns/${v.id}/retry-failed`, { method: 'POST' });
    expect(await kept.json()).toMatchObject({ reset: 0, left: { permanent: 2, no_wamid: 0, marketing_limit: 1 } });
    const retry = await api(`/v1/campaigns/${v.id}/retry-failed?include=all`, { method: 'POST' });
    expect(await retry.json()).toMatchObject({ reset: 2, retried: 2, left: { permanent: 0, marketing_limit: 1 } });
    const after = await waitFor(
      async () => {
        const c = await view(v.id);
        return c.status === 'completed' && c.counts.pending === 0 ? c : undefined;
      },
      { timeoutMs: 30_000, intervalMs: 50, what: 'the retried campaign' },
    );
    expect(after.counts).toMatchObject({ sent: 2, failed: 1, skipped: 1 });
    const again = await report(v.id);
    expect(again.get(stopped)).toMatchObject({ status: 'skipped', error_code: 'SUPPRESSED' });
    expect(again.get(closed)).toMatchObject({ status: 'sent' });
    expect(again.get(limited)).toMatchObject({ status: 'failed', error_code: '131049' });
    expect([requested(stopped), requested(closed), requested(limited)]).toEqual([1, 2, 1]);
    await api(`/v1/suppressions/${stopped}`, { method: 'DELETE' });
  });
});
