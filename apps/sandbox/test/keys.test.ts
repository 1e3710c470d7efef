import { sandboxConfigSchema } from '../src/config';
import { closeSandboxes, sandbox, send, VALID } from './helpers';

afterEach(closeSandboxes);

const A = { id: 'a', api_key: 'key-a', api_secret: 'sec-a' };
const B = { id: 'b', api_key: 'key-b', api_secret: 'sec-b' };
const as = (k: { api_key: string; api_secret: string }) => ({ 'x-api-key': k.api_key, 'x-api-secret': k.api_secret });

describe('several key pairs (SPEC §15)', () => {
  it('takes each listed key pair, refuses others and a wrong secret, and records which key sent', async () => {
    const sb = await sandbox({ keys: [A, B] });
    expect((await send(sb, VALID, { headers: as(A) })).status).toBe(200);
    expect((await send(sb, VALID, { headers: as(B) })).status).toBe(200);
    expect((await send(sb, VALID, { headers: { ...as(A), 'x-api-secret': 'sec-b' } })).status).toBe(401);
    expect((await send(sb, VALID, { headers: { 'x-api-key': 'nope' } })).status).toBe(401);
    expect(sb.stats().received.map((r) => [r.key, r.outcome])).toEqual([
      ['a', 'ok'],
      ['b', 'ok'],
      [undefined, '401'],
      [undefined, '401'],
    ]);
  });

  it('answers 130429 past a key’s rate; the other key is not slowed', async () => {
    const sb = await sandbox({ keys: [{ ...A, rate: 3 }, B] });
    const answers = await Promise.all(Array.from({ length: 6 }, () => send(sb, VALID, { headers: as(A) })));
    const limited = answers.filter((a) => a.status !== 200);
    // 3 a second (+10 %: 3) all arrive within the same second on loopback.
    expect(limited.length).toBeGreaterThanOrEqual(3);
    expect(limited[0]!.body.error?.code).toBe(130429);
    const others = await Promise.all(Array.from({ length: 6 }, () => send(sb, VALID, { headers: as(B) })));
    expect(others.every((a) => a.status === 200)).toBe(true);
  });

  it('answers 401 after N requests of a key (fail_after), and for revokedKeys set at run time', async () => {
    const sb = await sandbox({ keys: [{ ...A, fail_after: 2 }, B] });
    const statuses = [];
    for (let i = 0; i < 4; i += 1) statuses.push((await send(sb, VALID, { headers: as(A) })).status);
    expect(statuses).toEqual([200, 200, 401, 401]);
    sb.setFaults({ revokedKeys: ['b'] });
    expect((await send(sb, VALID, { headers: as(B) })).status).toBe(401);
    sb.reset();
    expect((await send(sb, VALID, { headers: as(A) })).status).toBe(200);
  });

  it('answers 131056 when one number gets two requests from one key within pairIntervalMs', async () => {
    const sb = await sandbox({ keys: [A, B], faults: { pairIntervalMs: 60_000 } });
    expect((await send(sb, VALID, { headers: as(A) })).status).toBe(200);
    const again = await send(sb, VALID, { headers: as(A) });
    expect(again.body.error?.code).toBe(131056);
    // Another key (another WhatsApp number) or another recipient is a different pair.
    expect((await send(sb, VALID, { headers: as(B) })).status).toBe(200);
    expect((await send(sb, { ...VALID, customer_number: '919970585557' }, { headers: as(A) })).status).toBe(200);
  });

  it('reads SANDBOX_KEYS or the worker’s SENDERS, without quoting a secret when it is wrong', () => {
    const senders = JSON.stringify([{ ...A, rate: 5, portfolio: 'acme' }]);
    expect(sandboxConfigSchema.parse({ SENDERS: senders }).keys).toEqual([{ ...A, rate: 5, portfolio: 'acme' }]);
    expect(sandboxConfigSchema.parse({ SANDBOX_KEYS: senders, SANDBOX_PAIR_INTERVAL_MS: '6000' })).toMatchObject({
      faults: { pairIntervalMs: 6000 },
    });
    const bad = sandboxConfigSchema.safeParse({ SENDERS: `[{"id":"a","api_key":"sk_SECRET"` });
    expect(bad.success).toBe(false);
    expect(JSON.stringify(bad.error)).not.toContain('sk_SECRET');
  });
});
