/**
 * Issue 14: NUL bytes and invalid UTF-8 in a text field, through the real app (fastify inject) and a real Redis:
 * `POST /v1/messages` answers 400 naming the field; an upload refuses the row (past the first 64 KB too).
 */
import type { FastifyInstance } from 'fastify';
import type { Store } from '@sobot/store';
import { TestProducers } from './producers';

const API_KEY = 'text-fields-key';
const auth = { authorization: `Bearer ${API_KEY}` };
let producers: TestProducers;
let store: Store;
let app: FastifyInstance;

beforeAll(async () => {
  producers = await TestProducers.start(API_KEY);
  ({ app, store } = await producers.open());
});

afterAll(async () => {
  await producers?.close();
});

const message = (fields: string) =>
  Buffer.from(`{"customer_number":"919970000001","url":"https://cdn.example.com/a.jpg",${fields}}`);

async function post(body: Buffer) {
  return app.inject({
    method: 'POST',
    url: '/v1/messages',
    headers: { ...auth, 'content-type': 'application/json' },
    payload: body,
  });
}

describe('POST /v1/messages', () => {
  it('refuses invalid UTF-8 bytes, a \\u0000 and a lone surrogate in a field, naming it (400)', async () => {
    const latin = Buffer.concat([
      message('"customer_name":"Jos').subarray(0, -1),
      Buffer.from([0xe9]),
      Buffer.from('"}'),
    ]);
    const cases: Array<[Buffer, string, string]> = [
      [latin, 'customer_name', 'is not valid UTF-8'],
      [message('"customer_name":"A\\u0000B"'), 'customer_name', 'contains a NUL byte'],
      [message('"customer_name":"A","caption":"Hi \\ud800"'), 'caption', 'is not valid UTF-8'],
      [message('"customer_name":"A","caption":"Hi {{city}}","variables":{"city":"P\\u0000"}'), 'variables.city', ''],
    ];
    for (const [body, field, text] of cases) {
      const res = await post(body);
      expect(res.statusCode).toBe(400);
      expect(res.json().error.code).toBe('INVALID_MESSAGES');
      expect(res.json().error.details).toEqual([{ index: 0, field, message: text || 'contains a NUL byte' }]);
    }
  });

  it('takes a real U+FFFD and any other text', async () => {
    const res = await post(message('"customer_name":"Bad \uFFFD char, José 😀"'));
    expect(res.statusCode).toBe(202);
    const id = res.json().ids[0];
    expect(await store.campaigns.message(id)).toMatchObject({ customer_number: '919970000001', status: 'pending' });
  });
});

describe('POST /v1/campaigns', () => {
  it('refuses a row with a NUL or invalid UTF-8 past the first 64 KB, and accepts the rest', async () => {
    const rows = Array.from({ length: 3_000 }, (_, i) => `9199700${String(i).padStart(5, '0')},Customer ${i}\n`);
    const body = Buffer.concat([
      Buffer.from(`phone,name\n${rows.join('')}`),
      Buffer.from('919970099001,Nul\u0000Name\n919970099002,Ren'),
      Buffer.from([0xe9]),
      Buffer.from('\n'),
    ]);
    const res = await app.inject({
      method: 'POST',
      url: `/v1/campaigns?image_url=${encodeURIComponent('https://cdn.example.com/a.jpg')}`,
      headers: { ...auth, 'content-type': 'text/csv' },
      payload: body,
    });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ total: 3_002, accepted: 3_000, rejected: 2 });
    expect(res.json().errors).toEqual([
      { row: 3_001, line: 3_002, field: 'customer_name', message: 'contains a NUL byte' },
      { row: 3_002, line: 3_003, field: 'customer_name', message: 'is not valid UTF-8' },
    ]);
  });
});
