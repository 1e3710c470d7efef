import { SEND_POLICY, type CampaignStatus } from '@sobot/schema';
import { AUDIENCE, WINDOW_MS, type Audience } from './audience';
import { META } from './campaign-meta';
import type { StoreContext } from './context';
import { InvalidStateError, NotFoundError } from './errors';
import { decodeOutcome, encodeOutcome, retryingAgain, type Outcome } from './outcome-codec';
import { Circulation } from './circulation';
import type { SendQueue } from './queue';
import type { Outbox } from './outbox';
import { runScript } from './scripts';
import { expireCampaign, persistCampaign } from './retention';
import type { SystemPause } from './send-rate';

/** 131049 (per-user marketing limit): retry-failed leaves such a failure for 24 h. */
const HOLD_CODE = '131049';

/**
 * How long a cancel waits for requests in flight to be recorded: a request times out after
 * SEND_POLICY.requestTimeoutMs, a worker sees the cancel within statusRefreshMs + controlPollMs, then writes.
 */
export const CANCEL_SETTLE_MS = SEND_POLICY.requestTimeoutMs + 3_000;
const CANCEL_POLL_MS = 25;
/** Why retry-failed left a failure: the caller's reasons (e.g. `permanent`, `no_wamid`) and `marketing_limit`. */
export const MARKETING_LIMIT = 'marketing_limit';

export interface RetryOptions {
  /** The reason a failure with this code is not retried, or undefined to retry it (absent: retry every one). */
  leave?: (code: string) => string | undefined;
}

/** What one retry-failed took and left: totals, per reason left, per failure code. */
export interface RetryTally {
  retried: number;
  left: Record<string, number>;
  byCode: Record<string, { retried: number; left: number; reason?: string }>;
}

export interface ControlResult {
  status: CampaignStatus;
  /** cancel: false when requests were still in flight after CANCEL_SETTLE_MS (the counts may still move). */
  settled?: boolean;
  /** retry-failed: recipients put back to pending. */
  reset?: number;
  /** retry-failed: what it took and what it left, and why. */
  retry?: RetryTally;
}

class RetryCount {
  private readonly tally: RetryTally = { retried: 0, left: {}, byCode: {} };
  private code(code: string) {
    return (this.tally.byCode[code] ??= { retried: 0, left: 0 });
  }
  retried(code: string): void {
    this.tally.retried += 1;
    this.code(code).retried += 1;
  }
  left(code: string, reason: string): void {
    this.tally.left[reason] = (this.tally.left[reason] ?? 0) + 1;
    const c = this.code(code);
    c.left += 1;
    c.reason ??= reason;
  }
  result(): RetryTally {
    return this.tally;
  }
}

/** Operator actions on a campaign: they take effect in every worker within about a second. */
export class CampaignControl {
  constructor(
    private readonly ctx: StoreContext,
    private readonly queue: SendQueue,
    private readonly circulation: Circulation,
    private readonly system: SystemPause,
    private readonly resultTtlSeconds: number,
    private readonly audience: Audience,
    private readonly outbox?: Outbox,
  ) {}

  private async move(
    id: string,
    to: CampaignStatus,
    from: CampaignStatus[],
    operation: string,
    setField = '',
    clearField = '',
  ): Promise<void> {
    // SPEC §16: a pause is an event, written in the move's own step (when an endpoint exists).
    const events = to === 'paused' && this.outbox ? await this.outbox.prepare(id) : undefined;
    const [[moved, current]] = await Promise.all([
      runScript<[number, string]>(
        this.ctx.redis,
        'setStatus',
        [this.ctx.keys.meta(id)],
        [to, from.join(','), Date.now(), setField, clearField, events?.key ?? ''],
      ),
      events?.marked,
    ]);
    if (moved === 1 || current === to) return;
    if (current === '') throw new NotFoundError(`campaign ${id}`);
    throw new InvalidStateError(current, operation);
  }

  private async status(id: string): Promise<CampaignStatus> {
    return (await this.ctx.redis.hget(this.ctx.keys.meta(id), META.status)) as CampaignStatus;
  }

  async pause(id: string): Promise<ControlResult> {
    await this.move(id, 'paused', ['queued', 'running'], 'pause');
    return { status: 'paused' };
  }

  /** Resumes a paused campaign; also lifts a system pause (the operator says the cause is fixed). */
  async resume(id: string): Promise<ControlResult> {
    const started = await this.ctx.redis.hget(this.ctx.keys.meta(id), META.startedAt);
    const to: CampaignStatus = started ? 'running' : 'queued';
    const lifted = await this.system.resume();
    try {
      await this.move(id, to, ['paused'], 'resume', '', META.pausedReason);
    } catch (err) {
      // A running campaign shown as paused only because of the system pause: lifting it was the resume.
      const current = err instanceof InvalidStateError ? err.current : '';
      if (!(lifted && (current === 'running' || current === 'queued'))) throw err;
    }
    await this.unpark(id);
    await this.releaseCanary(id);
    return { status: await this.status(id) };
  }

  /** An operator resuming a campaign whose canary held chunks back releases them. */
  private async releaseCanary(id: string): Promise<void> {
    const { redis, keys } = this.ctx;
    const [canary, lane, weight] = await redis.hmget(keys.meta(id), META.canaryState, META.lane, META.weight);
    if (canary !== 'pending' && canary !== 'failed') return;
    await redis.hset(keys.meta(id), META.canaryState, 'overridden');
    await this.circulation.release(id, Circulation.afterCanary(lane, Number(weight ?? 1)));
  }

  /**
   * Cancels the campaign and answers once the stop has taken effect (SPEC §22): a worker sending one of its chunks
   * holds that chunk's lease until its in-flight requests are recorded, and a worker taking a lease reads the status
   * after taking it (chunk-runner). So once no lease is held, what is counted sent stays so and nothing counted
   * cancelled can still go out. A lease of a dead worker lapses on its own (chunkLeaseMs); the wait is bounded by
   * CANCEL_SETTLE_MS. `settled` says whether every lease was released in time.
   */
  async cancel(id: string, settleMs = CANCEL_SETTLE_MS): Promise<ControlResult> {
    await this.move(id, 'cancelled', ['queued', 'running', 'paused'], 'cancel', META.completedAt);
    await this.unpark(id);
    const settled = await this.inFlightSettled(id, settleMs);
    await expireCampaign(this.ctx, id, this.resultTtlSeconds);
    return { status: 'cancelled', settled };
  }

  /** Waits (polling) until no chunk lease of the campaign is held, at most `ms`; whether none is. */
  private async inFlightSettled(id: string, ms: number): Promise<boolean> {
    const { redis, keys } = this.ctx;
    const chunks = Number((await redis.hget(keys.meta(id), META.chunks)) ?? 0);
    const leases = Array.from({ length: chunks }, (_, c) => keys.lease(id, c));
    const deadline = Date.now() + ms;
    for (;;) {
      let held = 0;
      // One hash tag per campaign: a batch of EXISTS is one slot, also on Redis Cluster.
      for (let i = 0; i < leases.length && held === 0; i += 1_000)
        held += await redis.exists(...leases.slice(i, i + 1_000));
      if (held === 0) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, CANCEL_POLL_MS));
    }
  }

  /**
   * Queues a committed campaign's first chunks again while no worker has started it. A producer killed between
   * writing a campaign and queueing its chunks leaves it `queued` with no job; the call repeated with its
   * Idempotency-Key finds the campaign and must not answer for one that never sends. Chunk job ids are fixed, so
   * a job still in the queue is not added twice, and a chunk run again skips recipients that have an outcome.
   */
  async ensureQueued(id: string): Promise<void> {
    const { redis, keys } = this.ctx;
    const [status, lane, next, sendAt, generation] = await redis.hmget(
      keys.meta(id),
      META.status,
      META.lane,
      META.nextChunk,
      META.sendAt,
      META.retryGeneration,
    );
    if (status !== 'queued' || Number(generation ?? 0) !== 0) return;
    const chunks = Array.from({ length: Number(next ?? 0) }, (_, n) => n);
    const notBefore = Number(sendAt ?? 0) || undefined;
    await this.queue.enqueue(id, chunks, { lane: lane === 'transactional' ? 'transactional' : 'bulk', notBefore });
  }

  /**
   * Puts failed recipients back to pending, with the campaign's frozen image and caption. `leave` names why a
   * failure code is not retried (undefined: retry it); without it every failure is. A 131049 within 24 h (of this
   * recipient, or of its number in any campaign) is always left (`marketing_limit`, SPEC §13).
   */
  async retryFailed(id: string, opts: RetryOptions = {}): Promise<ControlResult> {
    const { redis, keys } = this.ctx;
    const [status, chunksRaw, lane] = await redis.hmget(keys.meta(id), META.status, META.chunks, META.lane);
    if (!status) throw new NotFoundError(`campaign ${id}`);
    if (status === 'cancelled') throw new InvalidStateError(status, 'retry the failures of');
    const chunks = Number(chunksRaw ?? 0);
    await persistCampaign(this.ctx, id, chunks);
    const now = Date.now();
    const tally = new RetryCount();
    const touched: number[] = [];
    for (let c = 0; c < chunks; c += 1) {
      const failed: Array<[string, string, Outcome]> = [];
      for (const [index, raw] of Object.entries(await redis.hgetall(keys.outcomes(id, c)))) {
        const o = decodeOutcome(raw);
        if (o.kind !== 'f') continue;
        const reason = opts.leave?.(o.code);
        if (reason) tally.left(o.code, reason);
        // A 131049 (per-user marketing limit) is not retried within 24 h of it (SPEC §13).
        else if (o.code === HOLD_CODE && now - o.at < WINDOW_MS) tally.left(o.code, MARKETING_LIMIT);
        else failed.push([index, raw, o]);
      }
      const { free, held } = await this.notHeld(id, c, failed);
      for (const [, , o] of held) tally.left(o.code, MARKETING_LIMIT);
      if (free.length === 0) continue;
      const args: Array<string | number> = [now];
      for (const [index, raw, o] of free) args.push(index, raw, encodeOutcome(retryingAgain(o, now)), o.code);
      const flags = await runScript<number[]>(
        redis,
        'resetFailed',
        [keys.outcomes(id, c), keys.counts(id), keys.failures(id), keys.meta(id)],
        args,
      );
      // A recipient whose outcome changed since the read is no longer a failure: counted in neither.
      free.forEach(([, , o], k) => flags[k] === 1 && tally.retried(o.code));
      if (flags.includes(1)) touched.push(c);
    }
    const retry = tally.result();
    if (retry.retried === 0) {
      // Nothing went back to pending: an ended campaign keeps expiring (its TTL was lifted above, before the resets).
      if (status === 'completed') await expireCampaign(this.ctx, id, this.resultTtlSeconds);
      return { status: status as CampaignStatus, reset: 0, retry };
    }
    const generation = await redis.hincrby(keys.meta(id), META.retryGeneration, 1);
    if (status === 'completed') await this.move(id, 'running', ['completed'], 'retry', '', META.completedAt);
    await this.queue.enqueue(id, touched, { lane: lane === 'transactional' ? 'transactional' : 'bulk', generation });
    return { status: await this.status(id), reset: retry.retried, retry };
  }

  /** The failed recipients of chunk `c` whose numbers got no 131049 answer (any campaign's) in the last 24 h. */
  private async notHeld<T extends [string, string, Outcome]>(
    id: string,
    c: number,
    failed: T[],
  ): Promise<{ free: T[]; held: T[] }> {
    if (failed.length === 0) return { free: failed, held: [] };
    const body = await this.ctx.redis.get(this.ctx.keys.chunk(id, c));
    if (body === null) return { free: failed, held: [] };
    const numbers = (JSON.parse(body) as Array<[string]>).map((row) => row[0]);
    const flags = await this.audience.lookup(
      failed.map(([index]) => numbers[Number(index)] ?? '0'),
      { marks131049: true },
    );
    const held = (k: number) => (flags[k]! & AUDIENCE.marked131049) !== 0;
    return { free: failed.filter((_, k) => !held(k)), held: failed.filter((_, k) => held(k)) };
  }

  /** Wakes the chunk jobs a worker parked while the campaign was paused. */
  private async unpark(id: string): Promise<void> {
    const key = this.ctx.keys.parked(id);
    const jobIds = await this.ctx.redis.smembers(key);
    await this.queue.wake(jobIds);
    if (jobIds.length > 0) await this.ctx.redis.srem(key, ...jobIds);
  }
}
