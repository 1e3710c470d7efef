import { createHmac } from 'node:crypto';
import { freePort } from '@sobot/devkit';
import fc from 'fast-check';
import { z } from 'zod';
import { inboundRequestSchema } from '../src/inbound';
import { closeSandboxes, receiver, sandbox, type Receiver } from './helpers';

afterEach(closeSandboxes);

/** Meta's inbound text message callback, one message per post. */
const metaInbound = z.strictObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.tuple([
    z.strictObject({
      id: z.string(),
      changes: z.tuple([
        z.strictObject({
          field: z.literal('messages'),
          value: z.strictObject({
            messaging_product: z.literal('whatsapp'),
            metadata: z.strictObject({ display_phone_number: z.string(), phone_number_id: z.string() }),
            contacts: z.tuple([z.strictObject({ profile: z.strictObject({ name: z.string() }), wa_id: z.string() })]),
            messages: z.tuple([
              z.strictObject({
                from: z.string(),
                id: z.string().regex(/^wamid\./),
                timestamp: z.string().regex(/^\d+$/),
                type: z.literal('text'),
                text: z.strictObject({ body: z.string() }),
              }),
            ]),
          }),
        }),
      ]),
    }),
  ]),
});

const flatInbound = z.strictObject({
  type: z.literal('message'),
  from: z.string(),
  timestamp: z.string().regex(/^\d+$/),
  text: z.string(),
});

const inboundAnswer = z.strictObject({ id: z.string(), status: z.number(), body: z.string() });
const errorAnswer = z.strictObject({ code: z.number(), message: z.string() });

async function inbound(url: string, body: unknown): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${url}/_sandbox/inbound`, { method: 'POST', body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
}

describe('POST /_sandbox/inbound', () => {
  let hook: Receiver;
  beforeEach(async () => {
    hook = await receiver();
  });
  afterEach(() => hook.close());

  it("posts a Meta-style inbound text message and answers with the receiver's status", async () => {
    const sb = await sandbox({ webhook: { url: `${hook.url}?token=t0k` } });
    hook.answer.status = 202;
    hook.answer.body = '{"received":1}';
    const before = Math.floor(Date.now() / 1000);
    const answer = await inbound(sb.url, { from: '919970585556', text: 'STOP', name: 'Asha' });

    expect(answer.status).toBe(200);
    const result = inboundAnswer.parse(answer.body);
    expect(result).toMatchObject({ status: 202, body: '{"received":1}' });
    expect(hook.deliveries).toHaveLength(1);
    expect(hook.deliveries[0]?.url).toBe('/webhook?token=t0k');
    const event = metaInbound.parse(hook.bodies[0]);
    const { value } = event.entry[0].changes[0];
    expect(value.contacts[0]).toEqual({ profile: { name: 'Asha' }, wa_id: '919970585556' });
    const [message] = value.messages;
    expect(message).toMatchObject({ from: '919970585556', id: result.id, type: 'text', text: { body: 'STOP' } });
    expect(Number(message.timestamp)).toBeGreaterThanOrEqual(before);
    expect(Number(message.timestamp)).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
  });

  it('posts the flat form on request, with the timestamp given as seconds or as a date', async () => {
    const sb = await sandbox({ webhook: { url: hook.url } });
    await inbound(sb.url, { from: '447100000001', text: 'hello', flat: true, timestamp: 1_700_000_000 });
    await inbound(sb.url, { from: '447100000001', text: 'again', flat: true, timestamp: '1700000100' });
    await inbound(sb.url, { from: '447100000001', text: 'late', timestamp: '2023-11-14T22:13:20+00:00' });
    expect(flatInbound.parse(hook.bodies[0])).toEqual({
      type: 'message',
      from: '447100000001',
      timestamp: '1700000000',
      text: 'hello',
    });
    expect(flatInbound.parse(hook.bodies[1]).timestamp).toBe('1700000100');
    expect(metaInbound.parse(hook.bodies[2]).entry[0].changes[0].value.messages[0].timestamp).toBe('1700000000');
  });

  it('passes on what a refusing receiver answered', async () => {
    const sb = await sandbox({ webhook: { url: hook.url } });
    hook.answer.status = 401;
    hook.answer.body = '{"error":{"code":"UNAUTHORIZED"}}';
    const answer = await inbound(sb.url, { from: '919970585556', text: 'hi' });
    expect(answer.status).toBe(200);
    expect(inboundAnswer.parse(answer.body)).toMatchObject({ status: 401, body: '{"error":{"code":"UNAUTHORIZED"}}' });
  });

  it('signs the inbound post when given the app secret', async () => {
    const sb = await sandbox({ webhook: { url: hook.url, secret: 's3cret' } });
    await inbound(sb.url, { from: '919970585556', text: 'hi' });
    const [delivery] = hook.deliveries;
    if (!delivery) throw new Error('nothing posted');
    const expected = `sha256=${createHmac('sha256', 's3cret').update(delivery.raw).digest('hex')}`;
    expect(delivery.headers['x-hub-signature-256']).toBe(expected);
  });

  it.each([
    [{ text: 'hi' }, 'from'],
    [{ from: '+919970585556', text: 'hi' }, 'from'],
    [{ from: '919970585556', text: '' }, 'text'],
    [{ from: '919970585556', text: 'hi', timestamp: 'yesterday' }, 'timestamp'],
    [{ from: '919970585556', text: 'hi', timestamp: -5 }, 'timestamp'],
    [{ from: '919970585556', text: 'hi', flat: 'yes' }, 'flat'],
    [{ from: '919970585556', text: 'hi', extra: 1 }, 'extra'],
  ])('refuses %j with 400 naming %s, and posts nothing', async (body, field) => {
    const sb = await sandbox({ webhook: { url: hook.url } });
    const answer = await inbound(sb.url, body);
    expect(answer.status).toBe(400);
    expect(errorAnswer.parse(answer.body).message).toContain(field);
    expect(hook.deliveries).toHaveLength(0);
  });

  it('refuses a body that is not JSON', async () => {
    const sb = await sandbox({ webhook: { url: hook.url } });
    const res = await fetch(`${sb.url}/_sandbox/inbound`, { method: 'POST', body: 'from=1' });
    expect(res.status).toBe(400);
    expect(errorAnswer.parse(await res.json()).message).toMatch(/JSON/);
  });

  it('answers 409 without a webhook URL', async () => {
    const sb = await sandbox();
    const answer = await inbound(sb.url, { from: '919970585556', text: 'hi' });
    expect(answer.status).toBe(409);
    expect(errorAnswer.parse(answer.body).message).toMatch(/SANDBOX_WEBHOOK_URL/);
  });

  it('answers 502 when the receiver cannot be reached, without showing its URL', async () => {
    const port = await freePort();
    const sb = await sandbox({ webhook: { url: `http://127.0.0.1:${port}/webhook?token=t0k-9` } });
    const answer = await inbound(sb.url, { from: '919970585556', text: 'hi' });
    expect(answer.status).toBe(502);
    const { message } = errorAnswer.parse(answer.body);
    expect(message).toMatch(/ECONNREFUSED/);
    expect(message).not.toContain('t0k-9');
  });
});

describe('webhook set while running', () => {
  let hook: Receiver;
  beforeEach(async () => {
    hook = await receiver('/late');
  });
  afterEach(() => hook.close());

  it('takes a webhook through the control API, signs with its secret, and drops it on reset', async () => {
    const sb = await sandbox();
    const set = (body: unknown) => fetch(`${sb.url}/_sandbox/webhook`, { method: 'POST', body: JSON.stringify(body) });
    const bad = await set({ url: 'ftp://x', delayMs: -1 });
    expect(bad.status).toBe(400);
    expect(errorAnswer.parse(await bad.json()).message).toMatch(/url.*delayMs/);

    expect((await set({ url: hook.url, secret: 'k2', delayMs: 1 })).status).toBe(200);
    expect((await inbound(sb.url, { from: '919970585556', text: 'START' })).status).toBe(200);
    const [delivery] = hook.deliveries;
    expect(delivery?.url).toBe('/late');
    expect(delivery?.headers['x-hub-signature-256']).toBe(
      `sha256=${createHmac('sha256', 'k2')
        .update(delivery?.raw ?? '')
        .digest('hex')}`,
    );

    sb.reset();
    expect((await inbound(sb.url, { from: '919970585556', text: 'again' })).status).toBe(409);
    expect(hook.deliveries).toHaveLength(1);
  });

  it('posts inbound messages in-process too, and stops posting once the webhook is removed', async () => {
    const sb = await sandbox();
    await expect(sb.inbound({ from: '919970585556', text: 'hi' })).rejects.toThrow(/no webhook/);
    sb.setWebhook({ url: hook.url });
    const result = await sb.inbound({ from: '919970585556', text: 'hi', timestamp: '2023-11-14T22:13:20Z' });
    expect(result.answer.status).toBe(200);
    expect(metaInbound.parse(hook.bodies[0]).entry[0].changes[0].value.messages[0]).toMatchObject({
      id: result.id,
      timestamp: '1700000000',
    });
    await expect(sb.inbound({ from: '12', text: 'hi' })).rejects.toThrow(/8 to 15 digits/);

    expect((await fetch(`${sb.url}/_sandbox/webhook`, { method: 'DELETE' })).status).toBe(200);
    expect((await inbound(sb.url, { from: '919970585556', text: 'hi' })).status).toBe(409);
    expect(hook.deliveries).toHaveLength(1);
  });
});

describe('inbound timestamps', () => {
  it('reads the same instant as seconds, as digits or as a date in any offset', () => {
    const base = { from: '919970585556', text: 'hi' };
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4_102_444_800 }),
        fc.integer({ min: -14 * 60, max: 14 * 60 }),
        (seconds, offsetMinutes) => {
          const local = new Date((seconds + offsetMinutes * 60) * 1000).toISOString().slice(0, 19);
          const sign = offsetMinutes < 0 ? '-' : '+';
          const abs = Math.abs(offsetMinutes);
          const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
          for (const timestamp of [seconds, String(seconds), `${local}${offset}`]) {
            expect(inboundRequestSchema.parse({ ...base, timestamp }).timestamp).toBe(seconds);
          }
        },
      ),
    );
  });

  it('refuses fractions, negatives, dates without an offset and words', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.double({ min: 0, max: 1e10, noInteger: true }),
          fc.integer({ max: -1 }),
          fc.date({ noInvalidDate: true }).map((d) => d.toISOString().slice(0, 19)),
          fc.stringMatching(/^[a-z ]{1,12}$/),
          fc.constant('1969-12-31T23:59:59Z'),
        ),
        (timestamp) => {
          expect(inboundRequestSchema.safeParse({ from: '919970585556', text: 'hi', timestamp }).success).toBe(false);
        },
      ),
    );
  });
});
