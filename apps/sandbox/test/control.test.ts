import { z } from 'zod';
import { SAMPLE_JPEG, SAMPLE_PNG } from '../src';
import { closeSandboxes, sandbox, send, VALID } from './helpers';

afterEach(closeSandboxes);

async function json(url: string, init?: RequestInit): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await fetch(url, init);
  return { status: res.status, body: z.record(z.string(), z.unknown()).parse(await res.json()) };
}

describe('control endpoints', () => {
  it('reports health', async () => {
    const sb = await sandbox();
    expect(await json(`${sb.url}/_sandbox/health`)).toEqual({ status: 200, body: { ok: true } });
  });

  it('counts the most message requests it was answering at once, until a reset', async () => {
    const sb = await sandbox({ faults: { latencyMs: 300 } });
    await Promise.all(Array.from({ length: 4 }, () => send(sb)));
    expect(sb.stats().maxConcurrent).toBe(4);
    await send(sb);
    expect(sb.stats().maxConcurrent).toBe(4);
    sb.reset();
    expect(sb.stats().maxConcurrent).toBe(0);
    await send(sb);
    expect(sb.stats().maxConcurrent).toBe(1);
  });

  it('serves the stats, with the received list only on request', async () => {
    const sb = await sandbox();
    await send(sb);
    await send(sb, { ...VALID, type: 'video' });

    const plain = await json(`${sb.url}/_sandbox/stats`);
    expect(plain.body).toMatchObject({
      total: 2,
      accepted: 1,
      outcomes: { ok: 1, '400': 1 },
      byNumber: { [VALID.customer_number]: 1 },
    });
    expect(plain.body).not.toHaveProperty('received');

    const summary = await json(`${sb.url}/_sandbox/stats?summary=1`);
    expect(summary.body).toEqual({
      total: 2,
      accepted: 1,
      outcomes: expect.objectContaining({ ok: 1 }),
      codes: {},
      maxConcurrent: 1,
    });

    const full = await json(`${sb.url}/_sandbox/stats?received=1`);
    expect(full.body.received).toEqual([
      {
        at: expect.any(Number),
        number: VALID.customer_number,
        outcome: 'ok',
        wamid: expect.stringMatching(/^wamid\./),
      },
      { at: expect.any(Number), number: VALID.customer_number, outcome: '400' },
    ]);
  });

  it('merges faults posted to it and rejects bad ones with 400', async () => {
    const sb = await sandbox({ faults: { latencyMs: 1 } });
    const set = await json(`${sb.url}/_sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRatio: 1, errorStatus: 500 }),
    });
    expect(set.status).toBe(200);
    expect(set.body.faults).toMatchObject({ latencyMs: 1, errorRatio: 1, errorStatus: 500 });
    expect((await send(sb)).status).toBe(500);

    const bad = await json(`${sb.url}/_sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ hangRatio: 'lots' }),
    });
    expect(bad.status).toBe(400);
    expect(bad.body.message).toMatch(/hangRatio/);
    const unknown = await json(`${sb.url}/_sandbox/faults`, {
      method: 'POST',
      body: JSON.stringify({ explode: true }),
    });
    expect(unknown.status).toBe(400);
  });

  it('resets the stats and the faults to those it started with', async () => {
    const sb = await sandbox({ faults: { closedNumbers: ['4471*'] } });
    await send(sb);
    sb.setFaults({ errorRatio: 1 });
    expect((await json(`${sb.url}/_sandbox/reset`, { method: 'POST' })).status).toBe(200);

    expect(sb.stats()).toMatchObject({ total: 0, accepted: 0, byNumber: {}, received: [] });
    expect(sb.faults()).toMatchObject({ errorRatio: 0, closedNumbers: ['4471*'] });
    expect((await send(sb)).status).toBe(200);
  });

  it('hands out stats that later requests do not change', async () => {
    const sb = await sandbox();
    await send(sb);
    const before = sb.stats();
    await send(sb);
    expect(before.received).toHaveLength(1);
    expect(before.wamids[VALID.customer_number]).toHaveLength(1);
    sb.reset();
    expect(before.total).toBe(1);
  });

  it.each([
    ['sample.jpg', 'image/jpeg', SAMPLE_JPEG, [0xff, 0xd8, 0xff]],
    ['sample.png', 'image/png', SAMPLE_PNG, [0x89, 0x50, 0x4e, 0x47]],
  ])('serves /images/%s for GET and HEAD', async (name, type, bytes, magic) => {
    const sb = await sandbox();
    const get = await fetch(`${sb.url}/images/${name}`);
    expect(get.status).toBe(200);
    expect(get.headers.get('content-type')).toBe(type);
    expect(get.headers.get('content-length')).toBe(String(bytes.length));
    const body = Buffer.from(await get.arrayBuffer());
    expect(body.equals(bytes)).toBe(true);
    expect([...body.subarray(0, magic.length)]).toEqual(magic);

    const head = await fetch(`${sb.url}/images/${name}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-type')).toBe(type);
    expect(head.headers.get('content-length')).toBe(String(bytes.length));
    expect((await fetch(`${sb.url}/images/missing.gif`)).status).toBe(404);
  });
});
