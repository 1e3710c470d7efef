import { SEND_POLICY } from '@sobot/schema';
import type { FairShare } from '@sobot/store';
import type { Permits } from './permits';

/**
 * Keeps this process's permits in step with every worker's fair-share bookkeeping: every syncEveryMs it reports
 * what the permits gave each bulk campaign and adopts the totals of all workers. A failed report (Redis trouble)
 * is carried into the next one; meanwhile the permits share by what this process alone has seen.
 */
export class FairShareSync {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly permits: Permits,
    private readonly share: FairShare,
  ) {}

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.sync().finally(() => (this.running = undefined));
    }, SEND_POLICY.fairShare.syncEveryMs);
    this.timer.unref();
  }

  async sync(): Promise<void> {
    const usage = this.permits.usage();
    if (usage.length === 0) return;
    try {
      const totals = await this.share.report(
        usage.map((u) => ({ campaignId: u.group, served: u.served, waiting: u.waiting })),
      );
      this.permits.adopt(totals.virtual, totals.floor);
    } catch {
      this.permits.unreport(usage);
    }
  }

  /** No more reports. One on its way is not waited for: with Redis away it could hold a shutdown up. */
  stop(): void {
    clearInterval(this.timer);
  }
}
