import { setMaxListeners } from 'node:events';
import pino from 'pino';
import { startTestRedis, waitFor, type TestRedis } from '@sobot/devkit';
import { Store, newCampaignId, type Outcome } from '@sobot/store';
import { OutcomeFlusher } from '../src/outcome-flusher';
import { SendGate } from '../src/send-gate';
import { StoppedError } from '../src/stopped';

let server: TestRedis;
const stores: Store[] = [];
const log = pino({ level: 'silent' });

beforeAll(async () => {
  server = await startTestRedis();
});

afterAll(async () => {
  await Promise.all(stores.map((s) => s.close()));
  await server?.close();
});

/**
 * A store whose send-rate schedule no other test shares, connected and with its queues ready: their start-up
 * work must not fall inside a test's timing.
 */
async function freshStore(): Promise<Store> {
  const store = Store.open({ url: server.url, prefix: `${server.prefix}-${stores.length}`, resultTtlDays: 1 }, log);
  stores.push(store);
  await Promise.all([store.ping(5_000), ...store.queue.queues.map((q) => q.waitUntilReady())]);
  return store;
}

const now = () => performance.now();

describe('SendGate over a real SendRate', () => {
  it('at 50/s releases 50 takers spread over about a second', async () => {
    const gate = new SendGate((await freshStore()).sendRate(50), log);
    const signal = new AbortController().signal;
    // Every waiter listens on its chunk's signal, as in the chunk runner.
    setMaxListeners(1_000, signal);
    const released = await Promise.all(
      Array.from({ length: 50 }, () => gate.take(signal).then((slot) => ({ at: now(), slot }))),
    );

    const times = released.map((r) => r.at).sort((a, b) => a - b);
    const span = times[49]! - times[0]!;
    // 49 intervals of 20 ms: 980 ms. Timers never fire early; allow them to be late.
    expect(span).toBeGreaterThanOrEqual(900);
    expect(span).toBeLessThan(5_000);
    // No half second holds more than its share (25 slots, + 1 at the edge).
    for (let i = 0; i + 26 < times.length; i += 1) expect(times[i + 26]! - times[i]!).toBeGreaterThanOrEqual(500 - 25);
    expect(released.every((r) => r.slot.probe === false)).toBe(true);
  });

  it(
    'rejects an aborted waiter with StoppedError at once, ' + 'queued or already scheduled, and serves the rest',
    async () => {
      const gate = new SendGate((await freshStore()).sendRate(50), log);
      const controllers = Array.from({ length: 30 }, () => new AbortController());
      const takes = controllers.map((c) => gate.take(c.signal));
      const outcome = takes.map((t) =>
        t.then(
          () => 'released' as const,
          (err: unknown) => err,
        ),
      );

      // #27 is still queued: a reservation reaches 250 ms ahead, 13 slots at 50/s.
      expect(gate.backlog.queued).toBeGreaterThan(0);
      // "At once": the rejection is settled before the event loop turns (no timer, no slot waited for).
      const nextTurn = () => new Promise((r) => setImmediate(() => r('a turn later')));
      controllers[27]!.abort('paused');
      const queued = await Promise.race([outcome[27], nextTurn()]);
      expect(queued).toBeInstanceOf(StoppedError);
      expect(queued).toMatchObject({ code: 'STOPPED', reason: 'paused' });

      // Waiters holding a booked slot are taken off their timers at once too. Once #5 is released and slots are
      // booked, every odd taker is aborted: the backlog drops by those still waiting, synchronously, and each of them
      // is rejected before the event loop turns (the others had been released already).
      await takes[5];
      await waitFor(() => gate.backlog.scheduled > 0, { timeoutMs: 10_000, what: 'slots booked ahead' });
      const backlog = () => gate.backlog.queued + gate.backlog.scheduled;
      const before = backlog();
      const odd = controllers.map((_, i) => i).filter((i) => i % 2 === 1 && i !== 27);
      for (const i of odd) controllers[i]!.abort('cancelled');
      const dropped = before - backlog();
      const oddResults = await Promise.race([Promise.all(odd.map((i) => outcome[i])), nextTurn()]);
      expect(oddResults).toBeInstanceOf(Array);
      const stopped = (oddResults as unknown[]).filter((r) => r instanceof StoppedError).length;
      expect(stopped).toBeGreaterThan(0);
      expect(dropped).toBe(stopped);

      const results = await Promise.all(outcome);
      expect(results.filter((r) => r === 'released')).toHaveLength(30 - 1 - stopped);
      // Every even taker is served.
      expect(results.filter((r, i) => i % 2 === 0 && r !== 'released')).toEqual([]);

      // The gate is not stuck on the aborted waiters: a newcomer is served.
      await expect(gate.take(new AbortController().signal)).resolves.toEqual({ probe: false });
    },
  );

  it('keeps the rate with a stock of slots: takers arriving faster than 100/s are spaced at 100/s', async () => {
    const gate = new SendGate((await freshStore()).sendRate(100), log);
    const signal = new AbortController().signal;
    setMaxListeners(1_000, signal);
    // Demand of ~500/s (one taker every 2 ms) for 0.6 s: the gate stocks slots ahead, and must still
    // hand them out no faster than the rate.
    const takes: Array<Promise<number>> = [];
    for (let i = 0; i < 300; i += 1) {
      takes.push(gate.take(signal).then(() => now()));
      await new Promise((r) => setTimeout(r, 2));
    }
    const times = (await Promise.all(takes)).sort((a, b) => a - b);
    // 300 slots at 100/s span ~3 s; no one-second window holds more than 110.
    expect(times[299]! - times[0]!).toBeGreaterThan(2_700);
    for (let i = 0; i + 110 < times.length; i += 1) expect(times[i + 110]! - times[i]!).toBeGreaterThanOrEqual(1_000);
  });

  it('a priority taker takes the earliest slot booked for bulk, not one after them; the rate holds', async () => {
    const gate = new SendGate((await freshStore()).sendRate(10), log);
    const signal = new AbortController().signal;
    setMaxListeners(1_000, signal);
    // 12 bulk takers at 10/s: the first slots are booked ahead (up to the 250 ms horizon), the rest wait in line.
    const order: string[] = [];
    const bulk = Array.from({ length: 12 }, (_, i) =>
      gate.take(signal).then(() => {
        order.push(`bulk ${i}`);
        return now();
      }),
    );
    await bulk[0];
    await waitFor(() => gate.backlog.scheduled >= 2, { timeoutMs: 2_000, what: 'bulk slots booked ahead' });
    const releasedBefore = order.length;
    const booked = gate.backlog.scheduled;
    const released = await gate.take(signal, true).then(() => {
      order.push('priority');
      return now();
    });
    // It takes the earliest booked slot, whose bulk taker goes back to the head of the bulk line: the priority taker
    // is released before it (behind the booked ones it would come after it).
    expect(booked).toBeGreaterThanOrEqual(2);
    // 13 slots at 10/s, whoever took them: 12 intervals of 100 ms at least.
    const times = [...(await Promise.all(bulk)), released].sort((a, b) => a - b);
    expect(order).toContain(`bulk ${releasedBefore}`);
    expect(order.indexOf('priority')).toBeLessThan(order.indexOf(`bulk ${releasedBefore}`));
    expect(times[12]! - times[0]!).toBeGreaterThanOrEqual(1_200 - 25);
    for (let i = 0; i + 10 < times.length; i += 1)
      expect(times[i + 10]! - times[i]!).toBeGreaterThanOrEqual(1_000 - 25);
  });

  it('a busy event loop does not bunch sends: takers whose slot went stale wait for new ones', async () => {
    const gate = new SendGate((await freshStore()).sendRate(100), log);
    const signal = new AbortController().signal;
    setMaxListeners(1_000, signal);
    const takes = Array.from({ length: 60 }, () => gate.take(signal).then(() => now()));
    await waitFor(() => gate.backlog.scheduled >= 20, { timeoutMs: 2_000, what: 'slots booked ahead' });
    // The event loop is busy for 150 ms: 15 booked slots (one every 10 ms) pass meanwhile.
    const stalled = now();
    while (now() - stalled < 150);
    const times = (await Promise.all(takes)).sort((a, b) => a - b);
    // Released late together they would put 15 sends in the next instant. A slot may be used up to 20 ms after
    // its time: any 200 ms holds 20 slots, + 2–3 late, + 1 at the edge (checked with room to spare).
    for (let i = 0; i + 27 < times.length; i += 1) expect(times[i + 27]! - times[i]!).toBeGreaterThanOrEqual(200);
  });

  it('a stall leaves room for jitter after the gate: a 100 ms holds its slots + 20 ms of late ones + 1', async () => {
    // What the SPEC bounds is a second at the upstream, whose clock also sees what happens after the gate (the
    // request's way out, the upstream's own pauses). The gate keeps most of the 10% for that: a slot used late
    // adds at most 2% of the rate. Before, up to 6% (60 ms): at 60/s two such stalls took 67 in a second.
    const gate = new SendGate((await freshStore()).sendRate(100), log);
    const signal = new AbortController().signal;
    setMaxListeners(1_000, signal);
    let released = 0;
    const takes = Array.from({ length: 100 }, () =>
      gate.take(signal).then(() => {
        released += 1;
        return now();
      }),
    );
    for (const after of [0, 40]) {
      await waitFor(() => released >= after && gate.backlog.scheduled >= 20, {
        timeoutMs: 5_000,
        what: 'slots booked',
      });
      // Busy for 100 ms while 200 ms of slots are booked: 10 of them pass meanwhile.
      const stalled = now();
      while (now() - stalled < 100);
    }
    const times = (await Promise.all(takes)).sort((a, b) => a - b);
    let busiest = 0;
    for (let i = 0, j = 0; j < times.length; j += 1) {
      while (times[j]! - times[i]! >= 100) i += 1;
      busiest = Math.max(busiest, j - i + 1);
    }
    // 10 slots in 100 ms, + those of the 20 ms before (2, or 3 when one falls on each end), + 1 at the edge.
    // Up to 60 ms late, 6–7 went together: 16 in 100 ms.
    expect(busiest).toBeLessThanOrEqual(14);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const gate = new SendGate((await freshStore()).sendRate(50), log);
    const c = new AbortController();
    c.abort('shutdown');
    await expect(gate.take(c.signal)).rejects.toMatchObject({ code: 'STOPPED', reason: 'shutdown' });
  });
});

describe('OutcomeFlusher', () => {
  const sentOutcome = (i: number): Outcome => ({
    kind: 's',
    attempts: 1,
    rounds: 0,
    at: Date.now(),
    wamid: `wamid.F${i}`,
    code: '',
    message: '',
  });

  async function campaign(store: Store, count: number): Promise<string> {
    const d = { image_url: 'https://cdn.example.com/a.jpg' };
    const writer = store.newCampaign(d);
    for (let i = 0; i < count; i += 1)
      await writer.add({
        type: 'image',
        url: d.image_url,
        mime_type: 'image/jpeg',
        customer_number: `91997000${String(i).padStart(4, '0')}`,
        customer_name: `N${i}`,
      });
    await writer.commit({ name: 'flush', source: 'api', defaults: d, total: count, rejected: 0, duplicates: 0 });
    return writer.campaignId;
  }

  it('makes every added outcome durable before its promise resolves, and notices the campaign completing', async () => {
    const store = await freshStore();
    const id = await campaign(store, 150);
    const flusher = new OutcomeFlusher(store.ledger, id, 0, 200);
    await Promise.all(Array.from({ length: 150 }, (_, i) => flusher.add(i, sentOutcome(i))));

    const v = await store.campaigns.view(id);
    expect(v?.counts).toMatchObject({ sent: 150, pending: 0 });
    expect(v?.status).toBe('completed');
    expect(flusher.completed).toBe(true);
    await flusher.close();
  });

  it('flushes what is left on close', async () => {
    const store = await freshStore();
    const id = await campaign(store, 3);
    const flusher = new OutcomeFlusher(store.ledger, id, 0, 200);
    const pending = [flusher.add(0, sentOutcome(0)), flusher.add(1, sentOutcome(1))];
    await flusher.close();
    await Promise.all(pending);
    expect((await store.campaigns.view(id))?.counts).toMatchObject({ sent: 2, pending: 1 });
    expect(flusher.completed).toBe(false);
  });

  it('rejects the outcomes of a batch Redis did not take', async () => {
    // A connection that has been closed: every command fails at once.
    const closed = Store.open({ url: server.url, prefix: server.prefix, resultTtlDays: 1 }, log);
    await closed.close();
    const flusher = new OutcomeFlusher(closed.ledger, newCampaignId(), 0, 200);
    const adds = [flusher.add(0, sentOutcome(0)), flusher.add(1, sentOutcome(1))];
    for (const a of adds) await expect(a).rejects.toThrow(/unreachable/i);
    await flusher.close();
  });
});
