/**
 * GET /v1/senders and POST /v1/senders/:id/resume (SPEC §15) through the SDK against the real app over HTTP, with the
 * sender registry a worker writes at start.
 */
import { SobotBulkApiError, SobotBulkClient } from '@sobot/client';
import { TestProducers, type TestProducer } from './producers';

const KEY = 'senders-key';
let producers: TestProducers;
let p: TestProducer;
let sdk: SobotBulkClient;

beforeAll(async () => {
  producers = await TestProducers.start(KEY);
  p = await producers.open();
  sdk = new SobotBulkClient({ baseUrl: await p.app.listen({ port: 0, host: '127.0.0.1' }), token: KEY });
});

afterAll(async () => {
  await producers?.close();
});

test('lists senders with state, in-flight and their portfolio budget; resume lifts a pause', async () => {
  const { senders } = p.store;
  await senders.register(
    [
      { id: 'in-main', rate: 80, portfolio: 'acme', numbers: ['919900000001'] },
      { id: 'in-2', rate: 40, portfolio: 'acme', numbers: [] },
    ],
    { acme: 250 },
  );
  await senders.assign({
    senders: [{ id: 'in-main', rate: 80, portfolio: 'acme', numbers: [] }],
    limits: { acme: 250 },
    recipients: ['919811100001', '919811100002'].map((number) => ({ number, inWindow: false, retry: false })),
    stickyMs: 0,
    pairIntervalMs: 0,
    windowMs: 86_400_000,
    pairMarginMs: 0,
  });
  await senders.pause('in-2', '401', 'upstream refused sender in-2 (401: invalid key)');
  await senders.reportInFlight('w1', new Map([['in-main', 7]]));

  const list = await sdk.listSenders();
  expect(list.portfolios).toEqual([
    {
      portfolio: 'acme',
      messaging_limit: 250,
      used_24h: 2,
      remaining_24h: 248,
      next_release_at: expect.stringMatching(/^\d{4}-/),
    },
  ]);
  const byId = new Map(list.senders.map((s) => [s.id, s]));
  expect(byId.get('in-main')).toMatchObject({
    rate: 80,
    portfolio: 'acme',
    state: 'active',
    paused_reason: null,
    in_flight: 7,
    used_24h: 2,
    remaining_24h: 248,
  });
  expect(byId.get('in-2')).toMatchObject({
    state: 'paused',
    paused_code: '401',
    paused_reason: expect.stringContaining('invalid key'),
  });

  expect(await sdk.resumeSender('in-2')).toMatchObject({ id: 'in-2', state: 'active', paused_reason: null });
  const err = await sdk.resumeSender('nope').catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SobotBulkApiError);
  expect((err as SobotBulkApiError).status).toBe(404);
});

test('messages and uploads may name their senders; an unknown one is 400 UNKNOWN_SENDER', async () => {
  const base = { customer_number: '+919812345678', customer_name: 'A', url: 'https://cdn.example.com/a.jpg' };
  const err = await sdk.sendMessages([{ ...base, sender: 'nope' }]).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(SobotBulkApiError);
  expect([(err as SobotBulkApiError).code, (err as SobotBulkApiError).details]).toEqual([
    'UNKNOWN_SENDER',
    { senders: ['nope'] },
  ]);
  const ok = await sdk.sendMessages([{ ...base, sender: 'in-main' }]);
  expect((await p.store.campaigns.meta(ok.campaign_id))?.senders).toEqual(['in-main']);
});
