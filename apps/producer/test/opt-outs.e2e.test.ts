/**
 * Opt-outs that hold (SPEC §20 "Inbound numbers carry their country", §21; issue 19): signed webhook bodies to a
 * real producer on loopback with DEFAULT_COUNTRY_CODE=91 and a real Redis. Each reproduction of the issue ends
 * right: a foreign sender's STOP suppresses that sender (not the Indian number with the same digits) and the
 * next upload leaves it out; a replayed START, a START dated 30 days ago and a START against an operator's hold
 * change nothing; a message id is applied once; a refused import adds no number.
 */
import { createHmac } from 'node:crypto';
import { AUDIENCE } from '@sobot/store';
import { TestProducers, type TestProducer } from './producers';

const API_KEY = 'opt-outs-key';
const APP_SECRET = 'opt-outs-secret-51c2';
const MIN = 60_000;
const DAY = 86_400_000;

let producers: TestProducers;
let p: TestProducer;
let base: string;

beforeAll(async () => {
  producers = await TestProducers.start(API_KEY);
  p = await producers.open({
    WEBHOOK_APP_SECRET: APP_SECRET,
    DEFAULT_COUNTRY_CODE: '91',
    MAX_UPLOAD_BYTES: '100000',
    LOG_LEVEL: 'silent',
  });
  await p.app.listen({ port: 0, host: '127.0.0.1' });
  const address = p.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  base = `http://127.0.0.1:${address.port}`;
});

afterAll(async () => {
  await producers?.close();
});

const api = (path: string, init: RequestInit = {}) =>
  fetch(`${base}${path}`, { ...init, headers: { authorization: `Bearer ${API_KEY}`, ...(init.headers ?? {}) } });

/** Posts a webhook body signed with the app secret, as the upstream does; the answer's JSON. */
async function hook(body: unknown): Promise<Record<string, number>> {
  const raw = JSON.stringify(body);
  const res = await fetch(`${base}/v1/webhooks/sobot`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-hub-signature-256': `sha256=${createHmac('sha256', APP_SECRET).update(raw).digest('hex')}`,
    },
    body: raw,
  });
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, number>;
}

interface Msg {
  from: string;
  text: string;
  at: number;
  id?: string;
}
/** A Meta-style body of text messages (`wa_id` in contacts, `from` in messages, unix-second timestamps). */
const meta = (...messages: Msg[]) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: 'waba',
      changes: [
        {
          field: 'messages',
          value: {
            messaging_product: 'whatsapp',
            contacts: messages.map((m) => ({ wa_id: m.from, profile: { name: 'x' } })),
            messages: messages.map((m) => ({
              from: m.from,
              ...(m.id ? { id: m.id } : {}),
              timestamp: String(Math.floor(m.at / 1000)),
              type: 'text',
              text: { body: m.text },
            })),
          },
        },
      ],
    },
  ],
});
/** A flat inbound message. */
const flat = (m: Msg) => ({
  type: 'message',
  from: m.from,
  id: m.id,
  timestamp: Math.floor(m.at / 1000),
  text: m.text,
});

const suppression = async (number: string) => {
  const res = await api(`/v1/suppressions/${encodeURIComponent(number)}`);
  return res.status === 404 ? undefined : ((await res.json()) as { number: string; source: string; reason: string });
};
const total = async () => ((await (await api('/v1/suppressions')).json()) as { total: number }).total;
const flags = async (number: string) => (await p.store.audience.lookup([number], { window: true }))[0] ?? 0;

let series = 0;
/** A fresh Indian number (12 digits). */
const indian = () => `9199${String((series += 1)).padStart(8, '0')}`;

describe('inbound numbers carry their country (SPEC §20)', () => {
  test('a STOP from Singapore, Norway or the UK suppresses its sender, not an Indian one with its digits', async () => {
    const now = Date.now();
    const senders = ['6581234567', '4791234567', '447911123456'];
    const answer = await hook(
      meta(...senders.map((from, i) => ({ from, text: 'STOP', at: now - MIN, id: `sg-${i}` }))),
    );
    expect(answer).toMatchObject({ inbound: 3, opted_out: 3, ignored: 0 });
    for (const n of senders) {
      expect(await suppression(`+${n}`)).toMatchObject({ number: n, source: 'keyword', reason: 'opt-out keyword' });
      expect(await flags(n)).toBe(AUDIENCE.suppressed | AUDIENCE.inWindow);
      // The default country's reading of the same digits is someone else: untouched.
      expect(await suppression(`91${n}`)).toBeUndefined();
      expect(await flags(`91${n}`)).toBe(0);
    }
    // The path takes the number as an upload would write it, `+` included.
    expect(await suppression('+65 8123 4567')).toMatchObject({ number: '6581234567' });
    // A 10-digit number written without `+` reads in the default country (91), like an upload's.
    expect(await suppression('6581234567')).toBeUndefined();

    // An upload naming the Singapore and Norway senders leaves them out; the Indian number is accepted.
    const res = await api(`/v1/campaigns?image_url=${encodeURIComponent('https://cdn.example.com/a.jpg')}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: 'customer_number,customer_name\n+6581234567,Wei\n+4791234567,Ola\n916581234567,Asha\n',
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ total: 3, accepted: 1, suppressed: 2 });
  });

  test('the flat shape too: a Norwegian `from` opens its own window and its STOP is honoured', async () => {
    const now = Date.now();
    expect(await hook([flat({ from: '4790000001', text: 'hello', at: now - MIN })])).toMatchObject({ inbound: 1 });
    expect(await flags('4790000001')).toBe(AUDIENCE.inWindow);
    expect(await flags('914790000001')).toBe(0);
    expect(await hook(flat({ from: '+47 900 00 001', text: 'stop', at: now }))).toMatchObject({ opted_out: 1 });
    expect(await suppression('+4790000001')).toMatchObject({ source: 'keyword' });
  });
});

describe('opt-outs that hold (SPEC §21)', () => {
  test('a START replayed after a newer STOP changes nothing (same id: a duplicate)', async () => {
    const n = indian();
    const now = Date.now();
    const start = meta({ from: n, text: 'START', at: now - 20 * MIN, id: 'wamid.start-1' });
    expect(await hook(meta({ from: n, text: 'STOP', at: now - 30 * MIN, id: 'wamid.stop-1' }))).toMatchObject({
      opted_out: 1,
    });
    expect(await hook(start)).toMatchObject({ opted_in: 1 });
    expect(await suppression(n)).toBeUndefined();
    expect(await hook(meta({ from: n, text: 'STOP', at: now - 10 * MIN, id: 'wamid.stop-2' }))).toMatchObject({
      opted_out: 1,
    });
    expect(await hook(start)).toMatchObject({ inbound: 1, duplicates: 1, opted_in: 0 });
    expect(await suppression(n)).toMatchObject({ source: 'keyword' });
    // Without its id it is still older than the latest STOP.
    const { id: _, ...noId } = { from: n, text: 'START', at: now - 20 * MIN, id: '' };
    expect(await hook(flat(noId))).toMatchObject({ outdated: 1, opted_in: 0 });
    expect(await suppression(n)).toBeDefined();
  });

  test('a START dated 30 days ago does not lift a fresh STOP', async () => {
    const n = indian();
    const now = Date.now();
    await hook(meta({ from: n, text: 'STOP', at: now - MIN, id: 'fresh-stop' }));
    expect(await hook(meta({ from: n, text: 'START', at: now - 30 * DAY, id: 'old-start' }))).toMatchObject({
      outdated: 1,
      opted_in: 0,
    });
    expect(await suppression(n)).toMatchObject({ source: 'keyword' });
    // A STOP older than 7 days (with nothing after it) suppresses nobody either.
    const m = indian();
    expect(await hook(flat({ from: m, text: 'STOP', at: now - 8 * DAY }))).toMatchObject({ outdated: 1 });
    expect(await suppression(m)).toBeUndefined();
  });

  test("a customer's START does not lift an operator's legal hold or import; an operator's DELETE does", async () => {
    const [held, imported] = [indian(), indian()];
    const post = await api('/v1/suppressions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ numbers: [held], reason: 'legal hold' }),
    });
    expect(post.status).toBe(200);
    const csv = await api('/v1/suppressions?reason=list', {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: `number\n${imported}\n`,
    });
    expect(await csv.json()).toMatchObject({ added: 1 });
    expect(await suppression(held)).toMatchObject({ source: 'operator', reason: 'legal hold' });
    expect(await suppression(imported)).toMatchObject({ source: 'import', reason: 'list' });

    const now = Date.now();
    const answer = await hook(
      meta(
        { from: held, text: 'START', at: now, id: 'hold-start' },
        { from: imported, text: 'START', at: now, id: 'imp-start' },
      ),
    );
    expect(answer).toMatchObject({ opted_in: 2, opt_in_kept: 2 });
    expect(await suppression(held)).toMatchObject({ source: 'operator' });
    expect(await suppression(imported)).toMatchObject({ source: 'import' });

    // Listed with their sources, in JSON and CSV.
    const list = (await (await api('/v1/suppressions?limit=10000')).json()) as {
      suppressions: Array<{ number: string; source: string }>;
    };
    expect(list.suppressions).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ number: held, source: 'operator' }),
        expect.objectContaining({ number: imported, source: 'import' }),
      ]),
    );
    const text = Buffer.from(await (await api('/v1/suppressions?format=csv')).arrayBuffer()).toString('utf8');
    expect(text.split('\r\n')[0]).toBe('\uFEFFnumber,reason,suppressed_at,source');
    expect(text).toMatch(new RegExp(`\\r\\n\\+${held},legal hold,[^,]+,operator\\r\\n`));

    // A hold put on a number that had said STOP: the operator's now, so its next START keeps it.
    const stopped = indian();
    await hook(meta({ from: stopped, text: 'STOP', at: now - MIN, id: 'before-hold' }));
    const hold = await api('/v1/suppressions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ numbers: [stopped], reason: 'legal hold' }),
    });
    expect(await hold.json()).toMatchObject({ added: 0, already: 1 });
    expect(await hook(meta({ from: stopped, text: 'START', at: Date.now(), id: 'after-hold' }))).toMatchObject({
      opt_in_kept: 1,
    });
    expect(await suppression(stopped)).toMatchObject({ source: 'operator', reason: 'legal hold' });

    expect((await api(`/v1/suppressions/${held}`, { method: 'DELETE' })).status).toBe(200);
    expect((await api(`/v1/suppressions/${imported}`, { method: 'DELETE' })).status).toBe(200);
    expect(await suppression(held)).toBeUndefined();
  });

  test("a customer's START lifts a 131050 (upstream) suppression, unless the START was written before it", async () => {
    const [n, m] = [indian(), indian()];
    const now = Date.now();
    // As the worker writes a 131050 answer (failure-reactions.ts; audience.e2e sends one through the sandbox).
    await p.store.audience.suppress([n, m], '131050', now - 10 * MIN, 'upstream');
    expect(await suppression(n)).toMatchObject({ source: 'upstream', reason: '131050' });
    expect(await hook(meta({ from: n, text: 'START', at: now - MIN, id: 'up-start' }))).toMatchObject({
      opted_in: 1,
      opt_in_kept: 0,
    });
    expect(await suppression(n)).toBeUndefined();
    expect(await hook(meta({ from: m, text: 'START', at: now - 20 * MIN, id: 'early-start' }))).toMatchObject({
      opt_in_kept: 1,
    });
    expect(await suppression(m)).toMatchObject({ source: 'upstream' });
  });

  test('a message id is applied once: a STOP resent after a START does not suppress again', async () => {
    const n = indian();
    const now = Date.now();
    const stop = meta({ from: n, text: 'STOP', at: now - 10 * MIN, id: 'wamid.once' });
    expect(await hook(stop)).toMatchObject({ opted_out: 1, duplicates: 0 });
    expect(await hook(meta({ from: n, text: 'START', at: now - 5 * MIN, id: 'wamid.after' }))).toMatchObject({
      opted_in: 1,
    });
    expect(await hook(stop)).toMatchObject({ opted_out: 0, duplicates: 1 });
    expect(await suppression(n)).toBeUndefined();
    // Twice in one body: once.
    const m = indian();
    const twice = { from: m, text: 'STOP', at: now, id: 'wamid.twice' };
    expect(await hook(meta(twice, twice))).toMatchObject({ inbound: 2, opted_out: 1, duplicates: 1 });
  });
});

describe('suppression imports are all or nothing (SPEC §21)', () => {
  /** `count` distinct valid Indian numbers as a one-column CSV. */
  const csvOf = (count: number, from: number) =>
    `number\n${Array.from({ length: count }, (_, i) => `9188${String(from + i).padStart(8, '0')}`).join('\n')}\n`;
  const importCsv = (body: string) =>
    api('/v1/suppressions', { method: 'POST', headers: { 'content-type': 'text/csv' }, body });

  test('a 413 (past MAX_UPLOAD_BYTES, after more than a batch of good rows) adds no number', async () => {
    const before = await total();
    const body = csvOf(9_000, 0); // ~117 kB: more than MAX_UPLOAD_BYTES (100 kB), 5,000+ rows before the limit
    expect(Buffer.byteLength(body)).toBeGreaterThan(100_000);
    const res = await importCsv(body);
    expect(res.status).toBe(413);
    expect(await total()).toBe(before);
    expect(await suppression('918800000001')).toBeUndefined();
    expect(await suppression('918800006000')).toBeUndefined();
  });

  test('a bad row (after a batch of good ones) or a bad file adds no number; a good file adds them all', async () => {
    const before = await total();
    const bad = await importCsv(`${csvOf(6_000, 10_000)}12ab\n`);
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { code: 'INVALID_ROWS', details: [expect.objectContaining({ row: 6001, field: 'customer_number' })] },
    });
    expect(await total()).toBe(before);
    const noColumn = await importCsv('colour\nred\nblue\n');
    expect(noColumn.status).toBe(400);
    expect(await total()).toBe(before);

    const good = await importCsv(csvOf(6_000, 10_000));
    expect(good.status).toBe(200);
    expect(await good.json()).toMatchObject({ received: 6_000, added: 6_000, rejected: 0 });
    expect(await total()).toBe(before + 6_000);
    expect(await suppression('918800010000')).toMatchObject({ source: 'import' });
  });
});
