import { freePort, waitFor } from '@sobot/devkit';
import { z } from 'zod';
import { closeSandboxes, receiver, sandbox, send, VALID, type Receiver } from './helpers';

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
                status: z.enum(['delivered', 'read']),
                timestamp: z.string().regex(/^\d+$/),
                recipient_id: z.string(),
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

  it('keeps answering when the webhook is down', async () => {
    const sb = await sandbox({ webhook: { url: `http://127.0.0.1:${await freePort()}/webhook`, delayMs: 1 } });
    expect((await send(sb)).status).toBe(200);
    expect((await send(sb)).status).toBe(200);
  });
});
