import { createHash } from 'node:crypto';
import type { StoreContext } from './context';

/** How long an idempotency key is remembered. */
const IDEMPOTENCY_TTL_S = 7 * 86_400;

export type Claim = { fresh: true } | { fresh: false; campaignId: string; sameBody: boolean };

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Claims an idempotency key for a campaign about to be created (SET NX: only one caller can win, even
 * under concurrent calls). A later caller learns the campaign the key created and whether its body
 * was the same.
 */
export async function claimIdempotencyKey(
  ctx: StoreContext,
  key: string,
  campaignId: string,
  body: string,
): Promise<Claim> {
  const redisKey = ctx.keys.idempotency(sha(key));
  const value = `${campaignId} ${sha(body)}`;
  const ok = await ctx.redis.set(redisKey, value, 'EX', IDEMPOTENCY_TTL_S, 'NX');
  if (ok === 'OK') return { fresh: true };
  const existing = (await ctx.redis.get(redisKey)) ?? value;
  const [id = campaignId, bodyHash] = existing.split(' ');
  return { fresh: false, campaignId: id, sameBody: bodyHash === sha(body) };
}

/** Frees a key whose campaign could not be created, so that the caller's retry can succeed. */
export async function releaseIdempotencyKey(ctx: StoreContext, key: string): Promise<void> {
  await ctx.redis.del(ctx.keys.idempotency(sha(key)));
}
