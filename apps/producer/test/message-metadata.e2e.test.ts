/**
 * `metadata` on `POST /v1/messages` (SPEC §16): a JSON object of at most 1 KiB kept with the message and shown by
 * `GET /v1/messages/:id` (and the message list); anything else is a 400 and stores nothing.
 */
import fc from 'fast-check';
import { METADATA_MAX_BYTES } from '@sobot/schema';
import { TestProducers, type TestProducer } from './producers';

const KEY = 'metadata-key';
let producers: TestProducers;
let p: TestProducer;
const auth = { authorization: `Bearer ${KEY}` };
const image = 'https://cdn.example.com/a.jpg';

beforeAll(async () => {
  producers = await TestProducers.start(KEY);
  p = await producers.open();
});
afterAll(() => producers?.close());

const send = (payload: unknown) =>
  p.app.inject({ method: 'POST', url: '/v1/messages', headers: auth, payload: payload as object });
const view = async (id: string) => (await p.app.inject({ url: `/v1/messages/${id}`, headers: auth })).json();

test('metadata comes back with each message; none is null; a repeated number keeps the first', async () => {
  const metadata = { order: 'A-17', lines: [1, 2], nested: { ok: true }, note: 'café ✓' };
  const res = await send({
    messages: [
      { customer_number: '919800000701', customer_name: 'A', url: image, metadata },
      { customer_number: '919800000702', customer_name: 'B', url: image },
      { customer_number: '919800000701', customer_name: 'A', url: image, metadata: { order: 'other' } },
    ],
  });
  expect(res.statusCode).toBe(202);
  const { ids } = res.json();
  expect(ids[0]).toBe(ids[2]);
  expect(await view(ids[0])).toMatchObject({ customer_number: '919800000701', metadata });
  expect((await view(ids[1])).metadata).toBeNull();
  const list = (await p.app.inject({ url: '/v1/messages', headers: auth })).json();
  expect(list.messages.find((m: { id: string }) => m.id === ids[0]).metadata).toEqual(metadata);
});

test('a single message takes metadata too; exactly 1 KiB of JSON is accepted', async () => {
  const pad = 'x'.repeat(METADATA_MAX_BYTES - JSON.stringify({ p: '' }).length);
  const metadata = { p: pad };
  expect(Buffer.byteLength(JSON.stringify(metadata))).toBe(METADATA_MAX_BYTES);
  const res = await send({ customer_number: '919800000703', customer_name: 'C', url: image, metadata });
  expect(res.statusCode).toBe(202);
  expect((await view(res.json().ids[0])).metadata).toEqual(metadata);
});

test('over 1 KiB, an array, a string or null is 400 and nothing is stored', async () => {
  const before = (await p.app.inject({ url: '/v1/messages', headers: auth })).json().messages.length;
  const tooBig = { p: 'é'.repeat(510) }; // 1,020 characters of JSON, 1,530 bytes
  for (const metadata of [tooBig, [1, 2], 'order-1', null]) {
    const res = await send({ customer_number: '919800000704', customer_name: 'D', url: image, metadata });
    expect([res.statusCode, res.json().error.code]).toEqual([400, 'INVALID_REQUEST']);
  }
  expect((await p.app.inject({ url: '/v1/messages', headers: auth })).json().messages).toHaveLength(before);
});

test('any JSON object within the limit round-trips as given', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
      async (m) => {
        fc.pre(Buffer.byteLength(JSON.stringify(m)) <= METADATA_MAX_BYTES);
        // Fastify refuses a body with a `__proto__` or `constructor` key (prototype poisoning): a 400 by design.
        fc.pre(!/"(__proto__|constructor)":/.test(JSON.stringify(m)));
        const res = await send({ customer_number: '919800000705', customer_name: 'E', url: image, metadata: m });
        expect(res.statusCode).toBe(202);
        // JSON itself turns -0 into 0: compare with what JSON carries.
        expect((await view(res.json().ids[0])).metadata).toEqual(JSON.parse(JSON.stringify(m)));
      },
    ),
    { numRuns: 40 },
  );
});
