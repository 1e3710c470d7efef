import { createHash } from 'node:crypto';
import type { StoreContext } from './context';
import { runScript } from './scripts';

/** How long a committed idempotency key is remembered. */
const IDEMPOTENCY_TTL_S = 7 * 86_400;
/**
 * How long a claim holds its key before its campaign exists, unless its caller renews it (an upload that is still
 * streaming does, every third of it). A caller that dies between claim and commit (a producer killed) frees the
 * key for the next call after this, instead of blocking it for the key's lifetime.
 */
export const IDEMPOTENCY_LEASE_MS = 10_000;

export type Claim = { fresh: true } | { fresh: false; campaignId: string; sameBody: boolean; committed: boolean };

/** Who holds a key another call has: its campaign, the fingerprint of its request, and its answer once done. */
export interface KeyHolder {
  campaignId: string;
  fingerprint: string;
  committed: boolean;
  /** The answer stored with `settle` (uploads keep theirs, to be replayed). */
  answer?: string;
}

export type Acquired = { fresh: true } | ({ fresh: false } & KeyHolder);

export const sha256 = (s: string): string => createHash('sha256').update(s).digest('hex');

/**
 * Idempotency keys of API calls: the same key never creates two campaigns, even under concurrent calls.
 * Each key is a hash: `state` claimed → done, the campaign `id`, the request's `fingerprint`, the claim's lease
 * end (`until`, Redis time) and, once done, the `answer` to replay. A claim whose lease ran out is taken over by
 * the next call, unless its campaign exists after all (its producer died after creating it): then it is done.
 */
export class IdempotencyKeys {
  constructor(private readonly ctx: StoreContext) {}

  private redisKey(key: string): string {
    return this.ctx.keys.idempotency(sha256(key));
  }

  /**
   * Claims a key for campaign `campaignId` about to be created (only one caller can win), or tells who holds it.
   * An expired claim is settled here: taken over when its campaign never appeared, marked done when it did.
   */
  async acquire(key: string, campaignId: string, fingerprint: string, takeOver = ''): Promise<Acquired> {
    const k = this.redisKey(key);
    const args = [campaignId, fingerprint, IDEMPOTENCY_LEASE_MS, IDEMPOTENCY_TTL_S, takeOver];
    const res = await runScript<string[]>(this.ctx.redis, 'claimIdempotency', [k], args);
    if (res[0] === 'fresh') return { fresh: true };
    const [state, id = '', held = '', expired, answer] = res;
    if (state !== 'done' && Number(expired) === 1) {
      // The holder's lease ran out: if its campaign exists it was created (and the holder died before saying so).
      if ((await this.ctx.redis.exists(this.ctx.keys.meta(id))) === 1) {
        await this.settle(key, id, held);
        return { fresh: false, campaignId: id, fingerprint: held, committed: true };
      }
      return this.acquire(key, campaignId, fingerprint, id);
    }
    return {
      fresh: false,
      campaignId: id,
      fingerprint: held,
      committed: state === 'done',
      answer: answer || undefined,
    };
  }

  /**
   * Claims a key for a campaign about to be created from `body` (SET NX semantics: only one caller can win). A later
   * caller learns the campaign the key is for, whether its body was the same and whether that campaign exists.
   */
  async claim(key: string, campaignId: string, body: string): Promise<Claim> {
    const got = await this.acquire(key, campaignId, sha256(body));
    if (got.fresh) return got;
    return {
      fresh: false,
      campaignId: got.campaignId,
      sameBody: got.fingerprint === sha256(body),
      committed: got.committed,
    };
  }

  /** Extends the lease of a claim this caller holds; false when it is no longer this caller's. */
  async renew(key: string, campaignId: string): Promise<boolean> {
    const k = this.redisKey(key);
    return (await runScript<number>(this.ctx.redis, 'renewIdempotency', [k], [campaignId, IDEMPOTENCY_LEASE_MS])) === 1;
  }

  /** The key's campaign exists: remember the key for its full lifetime (with the answer to replay, if any). */
  async settle(key: string, campaignId: string, fingerprint: string, answer = ''): Promise<boolean> {
    const k = this.redisKey(key);
    const args = [campaignId, fingerprint, IDEMPOTENCY_TTL_S, answer];
    return (await runScript<number>(this.ctx.redis, 'settleIdempotency', [k], args)) === 1;
  }

  /** `settle` for a call whose fingerprint is the hash of its body. */
  async commit(key: string, campaignId: string, body: string): Promise<void> {
    await this.settle(key, campaignId, sha256(body));
  }

  /** Frees a key claimed for a campaign that could not be created, so that the caller's retry can succeed. */
  async release(key: string, campaignId: string): Promise<void> {
    await runScript<number>(this.ctx.redis, 'releaseIdempotency', [this.redisKey(key)], [campaignId]);
  }
}
