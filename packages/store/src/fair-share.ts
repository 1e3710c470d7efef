import { SEND_POLICY } from '@sobot/schema';
import type { StoreContext } from './context';
import { runScript } from './scripts';

/** What a worker's permits handed a campaign since its last report, in virtual time (sends ÷ weight). */
export interface ShareUsage {
  campaignId: string;
  served: number;
  /** This worker has sends of the campaign waiting for a permit now. */
  waiting: boolean;
}

export interface ShareTotals {
  /** Each reported campaign's virtual time across every worker. */
  virtual: Map<string, number>;
  /** The least virtual time of the campaigns with sends waiting somewhere (undefined: none). */
  floor: number | undefined;
}

/**
 * The bulk campaigns' virtual times summed over every worker (weighted fair queueing across processes, see
 * fair-share-1.lua). Each worker reports its own and reads everyone's a few times a second.
 */
export class FairShare {
  constructor(private readonly ctx: StoreContext) {}

  /** Adds `usage` and returns the campaigns' virtual times across every worker. */
  async report(usage: ShareUsage[]): Promise<ShareTotals> {
    if (usage.length === 0) return { virtual: new Map(), floor: undefined };
    const { activeMs, idleMs, forgetMs } = SEND_POLICY.fairShare;
    const args: Array<string | number> = [activeMs, idleMs, forgetMs];
    for (const u of usage) args.push(u.campaignId, u.served.toFixed(6), u.waiting ? 1 : 0);
    const totals = await runScript<string[]>(this.ctx.redis, 'fairShare', [this.ctx.keys.fairShare], args);
    const floor = totals[usage.length];
    return {
      virtual: new Map(usage.map((u, i) => [u.campaignId, Number(totals[i])])),
      floor: floor ? Number(floor) : undefined,
    };
  }
}
