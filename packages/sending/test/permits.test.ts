import { SEND_POLICY } from '@sobot/schema';
import { Permits } from '../src/permits';
import { StoppedError } from '../src/stopped';

/** Whether a promise has settled by the time the microtask queue has drained. */
async function settled(p: Promise<unknown>): Promise<boolean> {
  let done = false;
  void p.then(
    () => (done = true),
    () => (done = true),
  );
  await new Promise((r) => setImmediate(r));
  return done;
}

describe('Permits', () => {
  it('hands out `size` permits at once and queues the rest in order', async () => {
    const permits = new Permits(2);
    const signal = new AbortController().signal;
    await permits.acquire(signal);
    await permits.acquire(signal);
    expect(permits.inUse).toBe(2);

    const order: number[] = [];
    const third = permits.acquire(signal).then(() => order.push(3));
    const fourth = permits.acquire(signal).then(() => order.push(4));
    expect(await settled(third)).toBe(false);

    permits.release();
    await third;
    expect(await settled(fourth)).toBe(false);
    permits.release();
    await fourth;
    expect(order).toEqual([3, 4]);
    expect(permits.inUse).toBe(2);

    permits.release();
    permits.release();
    expect(permits.inUse).toBe(0);
  });

  it('rejects a waiter with StoppedError when its signal aborts, and loses no permit', async () => {
    const permits = new Permits(1);
    const running = new AbortController();
    await permits.acquire(running.signal);

    const stopping = new AbortController();
    const aborted = permits.acquire(stopping.signal);
    const after = permits.acquire(running.signal);
    stopping.abort('paused');
    await expect(aborted).rejects.toBeInstanceOf(StoppedError);
    await expect(aborted).rejects.toMatchObject({ code: 'STOPPED', reason: 'paused' });

    // The permit goes to the next live waiter, not to the aborted one.
    permits.release();
    await after;
    expect(permits.inUse).toBe(1);
    permits.release();
    expect(permits.inUse).toBe(0);
    // And it is free for anyone.
    await permits.acquire(running.signal);
    expect(permits.inUse).toBe(1);
  });

  it('rejects at once when the signal is already aborted, taking nothing', async () => {
    const permits = new Permits(3);
    const c = new AbortController();
    c.abort('shutdown');
    await expect(permits.acquire(c.signal)).rejects.toMatchObject({ code: 'STOPPED', reason: 'shutdown' });
    expect(permits.inUse).toBe(0);
  });

  it('does not let a newcomer jump the queue while others wait', async () => {
    const permits = new Permits(1);
    const signal = new AbortController().signal;
    await permits.acquire(signal);
    const waiting = permits.acquire(signal);
    permits.release();
    // The permit released went to the waiter: a newcomer must wait.
    const newcomer = permits.acquire(signal);
    await waiting;
    expect(await settled(newcomer)).toBe(false);
    permits.release();
    await newcomer;
  });

  it("reports what each campaign was served and adopts every worker's totals", async () => {
    const permits = new Permits(1);
    const signal = new AbortController().signal;
    const a = { group: 'a', weight: 1, priority: false };
    const b = { group: 'b', weight: 2, priority: false };
    await permits.acquire(signal, a);
    const nextB = permits.acquire(signal, b);
    permits.release();
    await nextB;
    const usage = permits.usage();
    expect(usage).toEqual([
      { group: 'a', served: 1, waiting: false },
      { group: 'b', served: 0.5, waiting: false },
    ]);
    // Another worker served b a lot: here a goes first even though b waited first.
    permits.adopt(
      new Map([
        ['a', 1],
        ['b', 40],
      ]),
      1,
    );
    const order: string[] = [];
    const waitB = permits.acquire(signal, b).then(() => order.push('b'));
    const waitA = permits.acquire(signal, a).then(() => order.push('a'));
    permits.release();
    await waitA;
    expect(order).toEqual(['a']);
    permits.release();
    await waitB;
    permits.release();
  });

  it('holds back a campaign too far ahead of the floor, and lets it go once the floor stops moving', async () => {
    const permits = new Permits(2, 10);
    const signal = new AbortController().signal;
    const ahead = { group: 'ahead', weight: 1, priority: false };
    await permits.acquire(signal, ahead);
    permits.usage();
    permits.adopt(new Map([['ahead', 50]]), 5);
    // A free permit, but the campaign leads the floor by 45 > 10: it waits.
    const held = permits.acquire(signal, ahead);
    expect(await settled(held)).toBe(false);
    // A transactional message is never held.
    await permits.acquire(signal, { group: 'tx', weight: 1, priority: true });
    permits.release();
    expect(await settled(held)).toBe(false);
    // The floor has not moved for floorStuckMs: the campaign goes (the next report lets it).
    await new Promise((r) => setTimeout(r, SEND_POLICY.fairShare.floorStuckMs + 20));
    permits.usage();
    await held;
  });
});
