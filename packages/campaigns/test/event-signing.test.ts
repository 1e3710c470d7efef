import fc from 'fast-check';
import { Webhook } from 'standardwebhooks';
import { SobotBulkEventError, verifyEvent } from '@sobot/client';
import { newEventId, newSecret, secretKey, signEvent } from '../src/events/signing';

const now = () => Math.floor(Date.now() / 1000);
const body = JSON.stringify({
  id: 'evt_1',
  type: 'message.sent',
  created_at: '2026-12-08T00:00:00.000Z',
  data: { message_id: 'm1', metadata: { order: 'A-17', note: 'café ✓' } },
});

/** The reference implementation's verdict (true, or the message it threw). */
function reference(secret: string, payload: string, headers: Record<string, string>): true | string {
  try {
    new Webhook(secret).verify(payload, headers);
    return true;
  } catch (err) {
    return (err as Error).message;
  }
}

function sdk(secret: string, payload: string, headers: Record<string, string>): true | string {
  try {
    verifyEvent(payload, headers, secret);
    return true;
  } catch (err) {
    return (err as SobotBulkEventError).code;
  }
}

describe('event signing (Standard Webhooks)', () => {
  it('new secrets are whsec_ + 32 random bytes, all different', () => {
    const a = newSecret();
    expect(a).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(secretKey(a)).toHaveLength(32);
    expect(newSecret()).not.toBe(a);
    expect(newEventId()).toMatch(/^evt_[0-9a-f]{32}$/);
  });

  it('refuses secrets outside whsec_ and 24–64 bytes', () => {
    expect(() => secretKey('abc')).toThrow(TypeError);
    expect(() => secretKey(`whsec_${Buffer.alloc(23).toString('base64')}`)).toThrow(TypeError);
    expect(() => secretKey(`whsec_${Buffer.alloc(65).toString('base64')}`)).toThrow(TypeError);
    expect(secretKey(`whsec_${Buffer.alloc(24, 7).toString('base64')}`)).toHaveLength(24);
    expect(() => signEvent([], 'evt_1', body)).toThrow(TypeError);
  });

  it('matches the reference implementation byte for byte', () => {
    const secret = newSecret();
    const ts = now();
    const ours = signEvent([secret], 'evt_x', body, ts);
    const theirs = new Webhook(secret).sign('evt_x', new Date(ts * 1000), body);
    expect(ours['webhook-signature']).toBe(theirs);
    expect(ours['webhook-timestamp']).toBe(String(ts));
  });

  it('is verified by the reference implementation and by the SDK, for any JSON body and id', () => {
    fc.assert(
      fc.property(fc.json({ maxDepth: 3 }), fc.stringMatching(/^[A-Za-z0-9_]{1,40}$/), (b, id) => {
        const secret = newSecret();
        const headers = { ...signEvent([secret], id, b) };
        expect(reference(secret, b, headers)).toBe(true);
        expect(verifyEvent(b, headers, secret)).toEqual(JSON.parse(b));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses a tampered body, a wrong secret and a changed id', () => {
    const secret = newSecret();
    const headers = { ...signEvent([secret], 'evt_1', body) };
    const tampered = body.replace('A-17', 'A-18');
    expect(reference(secret, tampered, headers)).not.toBe(true);
    expect(sdk(secret, tampered, headers)).toBe('EVENT_SIGNATURE_INVALID');
    const other = newSecret();
    expect(reference(other, body, headers)).not.toBe(true);
    expect(sdk(other, body, headers)).toBe('EVENT_SIGNATURE_INVALID');
    const moved = { ...headers, 'webhook-id': 'evt_2' };
    expect(reference(secret, body, moved)).not.toBe(true);
    expect(sdk(secret, body, moved)).toBe('EVENT_SIGNATURE_INVALID');
    expect(sdk(secret, body, { ...headers, 'webhook-signature': 'v2,abc v1,' })).toBe('EVENT_SIGNATURE_INVALID');
  });

  it('refuses a timestamp more than 5 minutes old or ahead; accepts one within', () => {
    const secret = newSecret();
    const old = { ...signEvent([secret], 'evt_1', body, now() - 301) };
    expect(reference(secret, body, old)).not.toBe(true);
    expect(sdk(secret, body, old)).toBe('EVENT_TIMESTAMP_OUT_OF_TOLERANCE');
    const ahead = { ...signEvent([secret], 'evt_1', body, now() + 301) };
    expect(reference(secret, body, ahead)).not.toBe(true);
    expect(sdk(secret, body, ahead)).toBe('EVENT_TIMESTAMP_OUT_OF_TOLERANCE');
    const recent = { ...signEvent([secret], 'evt_1', body, now() - 200) };
    expect(reference(secret, body, recent)).toBe(true);
    expect(sdk(secret, body, recent)).toBe(true);
  });

  it('refuses missing headers with a typed error', () => {
    const secret = newSecret();
    const { 'webhook-signature': _, ...rest } = signEvent([secret], 'evt_1', body);
    expect(sdk(secret, body, rest)).toBe('EVENT_HEADERS_MISSING');
    expect(() => verifyEvent(body, rest, secret)).toThrow(SobotBulkEventError);
  });

  it('signs with several secrets during a rotation: either one verifies, a third does not', () => {
    const [oldSecret, newOne] = [newSecret(), newSecret()];
    const headers = { ...signEvent([newOne, oldSecret], 'evt_r', body) };
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    for (const s of [oldSecret, newOne]) {
      expect(reference(s, body, headers)).toBe(true);
      expect(sdk(s, body, headers)).toBe(true);
    }
    expect(reference(newSecret(), body, headers)).not.toBe(true);
    expect(sdk(newSecret(), body, headers)).toBe('EVENT_SIGNATURE_INVALID');
  });

  it('the SDK reads node headers (any case, arrays), fetch Headers and bytes, and returns the event', () => {
    const secret = newSecret();
    const h = signEvent([secret], 'evt_h', body);
    const upper = { 'Webhook-Id': [h['webhook-id']], 'WEBHOOK-TIMESTAMP': h['webhook-timestamp'], ...h };
    expect(verifyEvent(Buffer.from(body), upper, secret).data).toEqual({
      message_id: 'm1',
      metadata: { order: 'A-17', note: 'café ✓' },
    });
    expect(verifyEvent(body, new Headers({ ...h }), secret).type).toBe('message.sent');
  });
});
