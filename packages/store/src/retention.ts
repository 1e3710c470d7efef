import { META } from './campaign-meta';
import type { StoreContext } from './context';

/** Every key of one campaign: chunks, outcomes and deliveries per chunk, then the campaign-wide ones. */
function campaignKeys(ctx: StoreContext, id: string, chunks: number): string[] {
  const { keys } = ctx;
  const all = [
    keys.meta(id),
    keys.counts(id),
    keys.failures(id),
    keys.rejectedRows(id),
    keys.parked(id),
    keys.breaker(id),
    keys.waiting(id),
    keys.perSecond(id),
  ];
  for (let c = 0; c < chunks; c += 1) all.push(keys.chunk(id, c), keys.outcomes(id, c), keys.deliveries(id, c));
  return all;
}

async function chunkCount(ctx: StoreContext, id: string): Promise<number> {
  return Number((await ctx.redis.hget(ctx.keys.meta(id), META.chunks)) ?? 0);
}

/** A finished (completed or cancelled) campaign's results are kept `ttlSeconds`, then Redis drops them. */
export async function expireCampaign(ctx: StoreContext, id: string, ttlSeconds: number): Promise<void> {
  const keys = campaignKeys(ctx, id, await chunkCount(ctx, id));
  if (ttlSeconds <= 0) await Promise.all(keys.map((k) => ctx.redis.unlink(k)));
  else await Promise.all(keys.map((k) => ctx.redis.expire(k, Math.max(1, Math.round(ttlSeconds)))));
}

/** Undoes expireCampaign when a campaign is sending again (retry-failed). */
export async function persistCampaign(ctx: StoreContext, id: string, chunks?: number): Promise<void> {
  const keys = campaignKeys(ctx, id, chunks ?? (await chunkCount(ctx, id)));
  await Promise.all(keys.map((k) => ctx.redis.persist(k)));
}
