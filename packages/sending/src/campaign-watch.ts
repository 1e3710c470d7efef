import { SEND_POLICY, type CampaignStatus } from '@sobot/schema';
import type { CampaignReader } from '@sobot/store';

/** Caches campaign statuses for the chunk loops, refreshed in the background when stale. */
export class CampaignWatch {
  private readonly cache = new Map<
    string,
    { status: CampaignStatus | undefined; at: number; loading?: Promise<unknown> }
  >();

  constructor(private readonly campaigns: CampaignReader) {}

  /** The last known status (refreshing it when stale, without waiting). */
  status(id: string): CampaignStatus | undefined {
    const entry = this.cache.get(id);
    if (!entry) {
      void this.refresh(id);
      return undefined;
    }
    if (Date.now() - entry.at > SEND_POLICY.statusRefreshMs && !entry.loading) entry.loading = this.refresh(id);
    return entry.status;
  }

  async refresh(id: string): Promise<CampaignStatus | undefined> {
    const status = await this.campaigns.status(id).catch(() => undefined);
    this.cache.set(id, { status, at: Date.now() });
    return status;
  }

  set(id: string, status: CampaignStatus): void {
    this.cache.set(id, { status, at: Date.now() });
  }
}
