import { performance } from 'node:perf_hooks';
import { closeSandboxes, sandbox, send, VALID } from './helpers';

afterEach(closeSandboxes);

describe('injected faults', () => {
  it('answers every request 401 when authFail is on', async () => {
    const sb = await sandbox({ faults: { authFail: true } });
    expect((await send(sb)).status).toBe(401);
  });

  it('answers 503 (or the configured 5xx) at errorRatio 1', async () => {
    const sb = await sandbox({ faults: { errorRatio: 1 } });
    const answer = await send(sb);
    expect(answer.status).toBe(503);
    expect(answer.body.code).toBe(503);
    sb.setFaults({ errorStatus: 502 });
    expect((await send(sb)).status).toBe(502);
    expect(sb.stats()).toMatchObject({ total: 2, accepted: 0, outcomes: { '5xx': 2 }, byNumber: {} });
  });

  it('answers 429 with Retry-After at rateLimitRatio 1', async () => {
    const sb = await sandbox({ faults: { rateLimitRatio: 1 } });
    const answer = await send(sb);
    expect(answer.status).toBe(429);
    expect(answer.headers.get('retry-after')).toBe('1');
    sb.setFaults({ retryAfterSeconds: 7 });
    expect((await send(sb)).headers.get('retry-after')).toBe('7');
    expect(sb.stats().outcomes['429']).toBe(2);
  });

  it('admits at most maxRps requests per calendar second and answers the rest 429', async () => {
    const sb = await sandbox({ faults: { maxRps: 2 } });
    const answers = await Promise.all(Array.from({ length: 8 }, () => send(sb)));
    expect(answers.some((a) => a.status === 429)).toBe(true);
    const oksPerSecond = new Map<number, number>();
    for (const r of sb.stats().received) {
      if (r.outcome === 'ok')
        oksPerSecond.set(Math.floor(r.at / 1000), (oksPerSecond.get(Math.floor(r.at / 1000)) ?? 0) + 1);
    }
    expect(Math.max(...oksPerSecond.values())).toBeLessThanOrEqual(2);
  });

  it('answers the permanent 24-hour-window error for closed numbers, exact or by prefix', async () => {
    const sb = await sandbox({ faults: { closedNumbers: ['919970585556', '4471*'] } });
    for (const customer_number of ['919970585556', '447100000001']) {
      const answer = await send(sb, { ...VALID, customer_number });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ code: 400, error: { code: 131047, message: 'Re-engagement message' } });
      expect(answer.body.message).toMatch(/24 hour window/);
    }
    expect((await send(sb, { ...VALID, customer_number: '447200000001' })).status).toBe(200);
    expect(sb.stats().byNumber).toEqual({ '447200000001': 1 });
  });

  it('resets the connection without an answer at resetRatio 1', async () => {
    const sb = await sandbox({ faults: { resetRatio: 1 } });
    // fetch reports a reset as 'fetch failed' with the socket error as its cause.
    await expect(send(sb)).rejects.toMatchObject({
      message: 'fetch failed',
      cause: { code: expect.stringMatching(/ECONNRESET|UND_ERR_SOCKET/) },
    });
    expect(sb.stats().outcomes.reset).toBe(1);
  });

  it('never answers at hangRatio 1, until the client gives up', async () => {
    const sb = await sandbox({ faults: { hangRatio: 1 } });
    await expect(send(sb, VALID, { signal: AbortSignal.timeout(300) })).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(sb.stats()).toMatchObject({ total: 1, outcomes: { hang: 1 } });
  });

  it('waits at least the configured latency before answering', async () => {
    const sb = await sandbox({ faults: { latencyMs: 150 } });
    const started = performance.now();
    expect((await send(sb)).status).toBe(200);
    // Timers are whole milliseconds, so allow the one lost to rounding.
    expect(performance.now() - started).toBeGreaterThanOrEqual(149);

    sb.setFaults({ latencyMs: { min: 60, max: 80 } });
    const again = performance.now();
    await Promise.all([send(sb), send(sb), send(sb)]);
    expect(performance.now() - again).toBeGreaterThanOrEqual(59);
  });

  it('applies faults set while running, and rejects bad ones', async () => {
    const sb = await sandbox();
    expect((await send(sb)).status).toBe(200);
    sb.setFaults({ errorRatio: 1 });
    expect((await send(sb)).status).toBe(503);
    expect(() => sb.setFaults({ errorRatio: 2 })).toThrow();
    expect(sb.faults().errorRatio).toBe(1);
  });
});
