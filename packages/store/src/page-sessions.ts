import { createHash, randomBytes } from 'node:crypto';
import type { StoreContext } from './context';

/** A session id's stored form: Redis holds the hash, so reading Redis gives no usable cookie. */
const stored = (id: string) => createHash('sha256').update(id).digest('base64url');

/**
 * The campaign page's sessions (SPEC §22): a random id the page holds in a cookie after basic auth, kept in Redis
 * with an expiry. Ids are 256 random bits; nothing in them is derived from the board credentials.
 */
export class PageSessions {
  constructor(private readonly ctx: StoreContext) {}

  /** A new session valid for `ttlMs`; its id (for the cookie). */
  async create(ttlMs: number): Promise<string> {
    const id = randomBytes(32).toString('base64url');
    await this.ctx.redis.set(this.ctx.keys.pageSession(stored(id)), String(Date.now()), 'PX', Math.max(1, ttlMs));
    return id;
  }

  /** Whether `id` names a session that has not expired nor been ended. */
  async valid(id: string | undefined): Promise<boolean> {
    if (!id || id.length > 100) return false;
    return (await this.ctx.redis.exists(this.ctx.keys.pageSession(stored(id)))) === 1;
  }

  /** Ends the session (logout). */
  async end(id: string): Promise<void> {
    if (id.length <= 100) await this.ctx.redis.del(this.ctx.keys.pageSession(stored(id)));
  }
}
