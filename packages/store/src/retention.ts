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
    keys.metadata(id),
    keys.outbox(id),
  ];
  for (let c = 0; c < chunks; c += 1) all.push(keys.chunk(id, c), keys.outcomes(id, c), keys.deliveries(id, c));
  return all;
}

async function chunkCount(ctx: StoreContext, id: string): Promise<number> {
  return Number((await ctx.redis.hget(ctx.keys.meta(id), META.chunks)) ?? 0);
}

/**
 * A finished (completed or cancelled) campaign's results are kept `ttlSeconds`, then Redis drops them. Keys its
 * late events create afterwards take the same TTL (record-outcomes-6.lua, record-delivery-2.lua).
 */
export async function expireCampaign(ctx: StoreContext, id: string, ttlSeconds: number): Promise<void> {
  const keys = campaignKeys(ctx, id, await chunkCount(ctx, id));
  if (ttlSeconds <= 0) await Promise.all(keys.map((k) => ctx.redis.unlink(k)));
  else await Promise.all(keys.map((k) => ctx.redis.expire(k, Math.max(1, Math.round(ttlSeconds)))));
  await pruneIndexes(ctx, ttlSeconds);
}

/** Index entries looked at per finished campaign: more than one is added per campaign, so the indexes stay bounded. */
const PRUNE_BATCH = 100;

/**
 * Drops index entries (campaigns, API messages) whose campaign expired. Each finished campaign looks at up to
 * PRUNE_BATCH entries older than the retention, oldest first: an index holds the campaigns not yet expired plus
 * fewer than PRUNE_BATCH expired ones, whether or not anybody lists them.
 */
async function pruneIndexes(ctx: StoreContext, ttlSeconds: number): Promise<void> {
  const { redis, keys } = ctx;
  const before = Date.now() - Math.max(0, ttlSeconds) * 1000;
  for (const index of [keys.campaignIndex, keys.messageIndex]) {
    const ids = await redis.zrangebyscore(index, '-inf', before, 'LIMIT', 0, PRUNE_BATCH);
    if (ids.length === 0) continue;
    const alive = await Promise.all(ids.map((c) => redis.exists(keys.meta(c))));
    const gone = ids.filter((_, i) => alive[i] === 0);
    if (gone.length > 0) await redis.zrem(index, ...gone);
  }
}

/** Undoes expireCampaign when a campaign is sending again (retry-failed). */
export async function persistCampaign(ctx: StoreContext, id: string, chunks?: number): Promise<void> {
  const keys = campaignKeys(ctx, id, chunks ?? (await chunkCount(ctx, id)));
  await Promise.all(keys.map((k) => ctx.redis.persist(k)));
}

/**
 * A key of campaign `id` written outside the scripts (a parked job, a quiet-hours tally) after the campaign may have
 * ended: it takes the campaign's remaining TTL, or goes when the campaign is gone, so that it never outlives it.
 */
export async function inheritTtl(ctx: StoreContext, id: string, key: string): Promise<void> {
  const ttl = await ctx.redis.pttl(ctx.keys.meta(id));
  if (ttl === -2) await ctx.redis.unlink(key);
  else if (ttl > 0) await ctx.redis.pexpire(key, ttl);
}
