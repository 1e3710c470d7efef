import { createHash } from 'node:crypto';
import type { StoreContext } from './context';

/** How long a committed idempotency key is remembered. */
const IDEMPOTENCY_TTL_S = 7 * 86_400;
/**
 * How long a claim holds its key before its campaign exists. A caller that dies between claim and commit (a
 * producer killed) frees the key for the next call after this, instead of blocking it for the key's lifetime.
 */
export const IDEMPOTENCY_LEASE_MS = 10_000;

export type Claim = { fresh: true } | { fresh: false; campaignId: string; sameBody: boolean; committed: boolean };

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

/**
 * Idempotency keys of API calls: the same key never creates two campaigns, even under concurrent calls.
 * Stored value: `<state> <campaign id> <body hash>`, state `claimed` (with the lease as TTL) or `done`.
 */
export class IdempotencyKeys {
  constructor(private readonly ctx: StoreContext) {}

  /**
   * Claims a key for a campaign about to be created (SET NX: only one caller can win). A later caller learns
   * the campaign the key is for, whether its body was the same and whether that campaign was committed.
   */
  async claim(key: string, campaignId: string, body: string): Promise<Claim> {
    const redisKey = this.ctx.keys.idempotency(sha(key));
    const bodyHash = sha(body);
    const ok = await this.ctx.redis.set(
      redisKey,
      `claimed ${campaignId} ${bodyHash}`,
      'PX',
      IDEMPOTENCY_LEASE_MS,
      'NX',
    );
    if (ok === 'OK') return { fresh: true };
    const existing = await this.ctx.redis.get(redisKey);
    // The lease ran out between the two calls: try again.
    if (existing === null) return this.claim(key, campaignId, body);
    const [state, id = campaignId, hash] = existing.split(' ');
    return { fresh: false, campaignId: id, sameBody: hash === bodyHash, committed: state === 'done' };
  }

  /** The key's campaign exists: remember the key for its full lifetime. */
  async commit(key: string, campaignId: string, body: string): Promise<void> {
    const value = `done ${campaignId} ${sha(body)}`;
    await this.ctx.redis.set(this.ctx.keys.idempotency(sha(key)), value, 'EX', IDEMPOTENCY_TTL_S);
  }

  /** Frees a key whose campaign could not be created, so that the caller's retry can succeed. */
  async release(key: string): Promise<void> {
    await this.ctx.redis.del(this.ctx.keys.idempotency(sha(key)));
  }
}
