import { createHmac, timingSafeEqual } from 'node:crypto';
import { freePort, waitFor } from '@sobot/devkit';
import { z } from 'zod';
import { UPSTREAM_ERRORS } from '../src/upstream-errors';
import { closeSandboxes, receiver, sandbox, send, VALID, type Delivery, type Receiver } from './helpers';

afterEach(closeSandboxes);

/** The Meta status callback, exactly one status per post. */
const statusCallback = z.object({
  object: z.literal('whatsapp_business_account'),
  entry: z.tuple([
    z.object({
      id: z.literal('sandbox'),
      changes: z.tuple([
        z.object({
          field: z.literal('messages'),
          value: z.object({
            messaging_product: z.literal('whatsapp'),
            statuses: z.tuple([
              z.object({
                id: z.string(),
                status: z.enum(['sent', 'delivered', 'read', 'failed']),
                timestamp: z.string().regex(/^\d+$/),
                recipient_id: z.string(),
                errors: z
                  .tuple([
                    z.object({
                      code: z.number(),
                      title: z.string(),
                      message: z.string(),
                      error_data: z.object({ details: z.string() }),
                      href: z.string(),
                    }),
                  ])
                  .optional(),
              }),
            ]),
          }),
        }),
      ]),
    }),
  ]),
});

describe('webhook callbacks', () => {
  let hook: Receiver;
  beforeEach(async () => {
    hook = await receiver();
  });
  afterEach(() => hook.close());

  it('posts delivered then read for each accepted message, and nothing for rejected ones', async () => {
    const sb = await sandbox({ webhook: { url: hook.url, delayMs: 20, statuses: ['delivered', 'read'] } });
    const first = await send(sb);
    const second = await send(sb, { ...VALID, customer_number: '447100000001' });
    await send(sb, { ...VALID, type: 'video' });

    await waitFor(() => hook.bodies.length >= 4, { timeoutMs: 5_000, what: 'four status events' });
    const statuses = hook.bodies.map((body) => statusCallback.parse(body).entry[0].changes[0].value.statuses[0]);
    for (const [answer, number] of [
      [first, VALID.customer_number],
      [second, '447100000001'],
    ] as const) {
      const mine = statuses.filter((s) => s.id === answer.body.data?.id);
      expect(mine.map((s) => s.status)).toEqual(['delivered', 'read']);
      for (const s of mine) {
        expect(s.recipient_id).toBe(number);
        expect(Math.abs(Number(s.timestamp) - Date.now() / 1000)).toBeLessThan(60);
      }
    }
    expect(hook.bodies).toHaveLength(4);
  });

  it('sends only delivered by default', async () => {
    const sb = await sandbox({ webhook: { url: hook.url, delayMs: 10 } });
    await send(sb);
    await waitFor(() => hook.bodies.length >= 1, { timeoutMs: 5_000, what: 'a delivered event' });
    expect(JSON.stringify(hook.bodies[0])).toContain('"status":"delivered"');
  });

  it('signs every post with X-Hub-Signature-256 over the exact raw body when given the app secret', async () => {
    const secret = 'app-secret-1';
    const sb = await sandbox({ webhook: { url: hook.url, delayMs: 1, statuses: ['delivered', 'read'], secret } });
    await send(sb);
    await waitFor(() => hook.deliveries.length >= 2, { timeoutMs: 5_000, what: 'two signed events' });
    for (const d of hook.deliveries) expect(signedWith(secret, d)).toBe(true);
    // The check can fail: another secret, or one changed byte, does not verify.
    const [first] = hook.deliveries;
    if (!first) throw new Error('no delivery');
    expect(signedWith('another-secret', first)).toBe(false);
    expect(signedWith(secret, { ...first, raw: Buffer.concat([first.raw, Buffer.from(' ')]) })).toBe(false);
  });

  it('sends no signature without a secret, and keeps the token in the URL', async () => {
    const sb = await sandbox({ webhook: { url: `${hook.url}?token=t0k-1`, delayMs: 1 } });
    await send(sb);
    await waitFor(() => hook.deliveries.length >= 1, { timeoutMs: 5_000, what: 'a delivered event' });
    expect(hook.deliveries[0]?.url).toBe('/webhook?token=t0k-1');
    expect(hook.deliveries[0]?.headers['x-hub-signature-256']).toBeUndefined();
  });

  it('reports failed with Meta errors[] for a number set to fail after being accepted', async () => {
    const sb = await sandbox({
      webhook: { url: hook.url, delayMs: 5, statuses: ['sent', 'delivered', 'read'] },
      faults: { callbackFailures: { '9199*': 131050 } },
    });
    const failing = await send(sb);
    expect(failing.status).toBe(200);
    const fine = await send(sb, { ...VALID, customer_number: '447100000001' });
    await waitFor(() => hook.bodies.length >= 5, { timeoutMs: 5_000, what: 'five status events' });

    const statuses = hook.bodies.map((body) => statusCallback.parse(body).entry[0].changes[0].value.statuses[0]);
    const mine = statuses.filter((s) => s.id === failing.body.data?.id);
    expect(mine.map((s) => s.status)).toEqual(['sent', 'failed']);
    expect(mine[1]?.errors).toEqual([
      {
        code: 131050,
        title: UPSTREAM_ERRORS[131050].title,
        message: UPSTREAM_ERRORS[131050].title,
        error_data: { details: UPSTREAM_ERRORS[131050].details },
        href: expect.stringContaining('error-codes'),
      },
    ]);
    const theirs = statuses.filter((s) => s.id === fine.body.data?.id);
    expect(theirs.map((s) => s.status)).toEqual(['sent', 'delivered', 'read']);
    expect(theirs.every((s) => s.errors === undefined)).toBe(true);
    expect(hook.bodies).toHaveLength(5);
  });

  it('keeps answering when the webhook is down', async () => {
    const sb = await sandbox({ webhook: { url: `http://127.0.0.1:${await freePort()}/webhook`, delayMs: 1 } });
    expect((await send(sb)).status).toBe(200);
    expect((await send(sb)).status).toBe(200);
  });
});

/** What a receiver does with Meta's header: HMAC-SHA256 of the raw bytes, compared in constant time. */
function signedWith(secret: string, delivery: Pick<Delivery, 'headers' | 'raw'>): boolean {
  const header = delivery.headers['x-hub-signature-256'];
  if (typeof header !== 'string' || !header.startsWith('sha256=')) return false;
  const expected = createHmac('sha256', secret).update(delivery.raw).digest();
  const given = Buffer.from(header.slice('sha256='.length), 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}
