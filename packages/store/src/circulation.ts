import { SEND_POLICY } from '@sobot/schema';
import { META, type Lane } from './campaign-meta';
import type { StoreContext } from './context';
import type { SendQueue } from './queue';
import { runScript } from './scripts';

/**
 * Fair share between bulk campaigns (SPEC §10). BullMQ's queue is first in, first out: a campaign whose chunks
 * were all enqueued at upload would hold the queue until it finished. Instead each bulk campaign keeps a few
 * chunk jobs in circulation (SEND_POLICY.fairShare.chunksPerWeight × its weight): a chunk that finishes puts the
 * campaign's next one at the back of the queue, so the chunks of every running campaign take turns, and a
 * campaign uploaded after a million-recipient one starts within a chunk's time. Transactional campaigns put all
 * their chunks in their own queue at once.
 */
export class Circulation {
  constructor(
    private readonly ctx: StoreContext,
    private readonly queue: SendQueue,
  ) {}

  /** Chunks a bulk campaign of `weight` keeps in the queue at once. */
  static chunksInFlight(weight: number): number {
    const { chunksPerWeight, maxChunksInFlight } = SEND_POLICY.fairShare;
    return Math.min(maxChunksInFlight, Math.max(1, Math.round(weight * chunksPerWeight)));
  }

  /** Chunks to release once a canary passes (or an operator overrides it). */
  static afterCanary(lane: string | null | undefined, weight: number): number {
    return lane === 'transactional' ? Number.MAX_SAFE_INTEGER : Circulation.chunksInFlight(weight);
  }

  /**
   * Puts up to `n` more of the campaign's chunks in the queue (none while its canary holds them back or once it
   * is cancelled). Returns how many.
   */
  async release(campaignId: string, n: number): Promise<number> {
    const { redis, keys } = this.ctx;
    const [cursorRaw, chunksRaw, canary, status, lane, sendAt] = await redis.hmget(
      keys.meta(campaignId),
      META.nextChunk,
      META.chunks,
      META.canaryState,
      META.status,
      META.lane,
      META.sendAt,
    );
    if (status === null || status === 'cancelled' || canary === 'pending' || canary === 'failed') return 0;
    const cursor = Number(cursorRaw ?? 0);
    const take = Math.min(n, Number(chunksRaw ?? 0) - cursor);
    if (take <= 0) return 0;
    const chunks = Array.from({ length: take }, (_, i) => cursor + i);
    await this.queue.enqueue(campaignId, chunks, { lane: (lane ?? 'bulk') as Lane, notBefore: Number(sendAt ?? 0) });
    const moved = await runScript<number>(redis, 'advanceCursor', [keys.meta(campaignId)], [cursor, cursor + take]);
    // Someone else released chunks meanwhile: ours were theirs (the same job ids) or already done; read again.
    return moved === 1 ? take : this.release(campaignId, n);
  }
}
