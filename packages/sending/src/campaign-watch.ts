import type { CampaignStatus } from '@sobot/schema';
import type { StoreContext } from '@sobot/store';

/** How stale a campaign's status may be here: operator actions reach every worker within this. */
const REFRESH_MS = 200;

/** Caches campaign statuses for the chunk loops, refreshed in the background at most every 200 ms. */
export class CampaignWatch {
  private readonly cache = new Map<
    string,
    { status: CampaignStatus | undefined; at: number; loading?: Promise<unknown> }
  >();

  constructor(private readonly ctx: StoreContext) {}

  /** The last known status (refreshing it when stale, without waiting). */
  status(id: string): CampaignStatus | undefined {
    const entry = this.cache.get(id);
    if (!entry) {
      void this.refresh(id);
      return undefined;
    }
    if (Date.now() - entry.at > REFRESH_MS && !entry.loading) entry.loading = this.refresh(id);
    return entry.status;
  }

  async refresh(id: string): Promise<CampaignStatus | undefined> {
    const status = ((await this.ctx.redis.hget(this.ctx.keys.meta(id), 'status').catch(() => null)) ?? undefined) as
      CampaignStatus | undefined;
    this.cache.set(id, { status, at: Date.now() });
    return status;
  }

  set(id: string, status: CampaignStatus): void {
    this.cache.set(id, { status, at: Date.now() });
  }
}
