import type { Ledger, Outcome, OutcomeEntry } from '@sobot/store';

/** Outcomes waiting this long at most before they are written. */
const FLUSH_AFTER_MS = 2;
const FLUSH_AT = 64;

/**
 * Batches one chunk's outcomes into few script calls. `add` resolves once the outcome is durable in
 * Redis: the worker holds the message's permit until then, so what a crash can lose (and send again)
 * is bounded by the requests in flight.
 */
export class OutcomeFlusher {
  private batch: Array<OutcomeEntry & { done: () => void; fail: (e: unknown) => void }> = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly flushes = new Set<Promise<void>>();
  completed = false;
  canaryPassed = false;

  constructor(
    private readonly ledger: Ledger,
    private readonly campaignId: string,
    private readonly chunk: number,
    private readonly chunkSize: number,
  ) {}

  add(offset: number, outcome: Outcome): Promise<void> {
    return new Promise<void>((done, fail) => {
      this.batch.push({ offset, outcome, done, fail });
      if (this.batch.length >= FLUSH_AT) this.flush();
      else this.timer ??= setTimeout(() => this.flush(), FLUSH_AFTER_MS);
    });
  }

  private flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    const batch = this.batch;
    this.batch = [];
    if (batch.length === 0) return;
    const p = this.ledger
      .record(this.campaignId, this.chunk, this.chunkSize, batch)
      .then((r) => {
        if (r.completed) this.completed = true;
        if (r.canaryPassed) this.canaryPassed = true;
        for (const e of batch) e.done();
      })
      .catch((err: unknown) => {
        for (const e of batch) e.fail(err);
      })
      .finally(() => this.flushes.delete(p));
    this.flushes.add(p);
  }

  async close(): Promise<void> {
    this.flush();
    await Promise.all([...this.flushes]);
  }
}
