import { SEND_POLICY } from '@sobot/schema';
import { StoreFullError, type CampaignMeta, type Ledger, type Outcome, type OutcomeEntry } from '@sobot/store';

/** Most outcomes in one script call. */
const FLUSH_AT = 64;
/** Writes of one chunk on their way at once; newcomers gather while both are out. */
const MAX_IN_FLIGHT = 2;

/**
 * Batches one chunk's outcomes into few script calls. `add` resolves once the outcome is durable in
 * Redis: the worker holds the message's permit until then, so what a crash can lose (and send again)
 * is bounded by the requests in flight.
 *
 * Nagle-like: an outcome goes out as soon as the code that produced it yields (a microtask, so the
 * outcomes of one answer's callback go together) while fewer than MAX_IN_FLIGHT writes are on their
 * way; otherwise it gathers with the newcomers and they go when a write returns. An idle chunk's
 * outcome is written at once; a busy one's in batches of up to FLUSH_AT. Writing at once rather than
 * at the end of the event-loop turn (setImmediate) spreads the permits' release, and with it the next
 * requests, over the turn instead of sending them in one burst.
 */
export class OutcomeFlusher {
  private batch: Array<OutcomeEntry & { done: () => void; fail: (e: unknown) => void }> = [];
  /** A flush is queued as a microtask. */
  private queued = false;
  private readonly flushes = new Set<Promise<void>>();
  completed = false;
  canaryPassed = false;
  /** A write of this chunk's outcomes tripped the campaign breaker: the campaign is paused. */
  breakerTripped = false;

  constructor(
    private readonly ledger: Ledger,
    private readonly campaignId: string,
    private readonly chunk: number,
    private readonly chunkSize: number,
    private readonly source: CampaignMeta['source'] = 'upload',
    /** Told each time Redis refused a write for lack of memory (the write is retried). */
    private readonly onStoreFull: (err: StoreFullError) => void = () => undefined,
  ) {}

  add(offset: number, outcome: Outcome): Promise<void> {
    return new Promise<void>((done, fail) => {
      this.batch.push({ offset, outcome, done, fail });
      if (this.batch.length >= FLUSH_AT) this.flush();
      else if (this.flushes.size < MAX_IN_FLIGHT && !this.queued) {
        this.queued = true;
        queueMicrotask(() => {
          this.queued = false;
          this.flush();
        });
      }
    });
  }

  private flush(): void {
    const batch = this.batch.splice(0, FLUSH_AT);
    if (batch.length === 0) return;
    const p = this.recordDurably(batch)
      .then((r) => {
        if (r.completed) this.completed = true;
        if (r.canaryPassed) this.canaryPassed = true;
        if (r.breakerTripped) this.breakerTripped = true;
        for (const e of batch) e.done();
      })
      .catch((err: unknown) => {
        for (const e of batch) e.fail(err);
      })
      .finally(() => {
        this.flushes.delete(p);
        // What gathered while this write was out goes now.
        if (this.batch.length > 0 && this.flushes.size < MAX_IN_FLIGHT) this.flush();
      });
    this.flushes.add(p);
  }

  /**
   * Records a batch; while Redis refuses writes for lack of memory, waits and writes it again (an outcome is never
   * dropped; a batch written twice counts once, the ledger is idempotent). The messages keep their permits
   * meanwhile, so the worker stops sending until Redis takes writes again.
   */
  private async recordDurably(batch: OutcomeEntry[]) {
    for (
      let wait: number = SEND_POLICY.storeFullRetry.firstMs;
      ;
      wait = Math.min(wait * 2, SEND_POLICY.storeFullRetry.maxMs)
    ) {
      try {
        return await this.ledger.record(this.campaignId, this.chunk, this.chunkSize, batch, this.source);
      } catch (err) {
        if (!(err instanceof StoreFullError)) throw err;
        this.onStoreFull(err);
        await new Promise((r) => setTimeout(r, wait));
      }
    }
  }

  async close(): Promise<void> {
    while (this.batch.length > 0 || this.flushes.size > 0) {
      this.flush();
      await Promise.allSettled([...this.flushes]);
    }
  }
}
