import { DAY_MS } from '@sobot/schema';
import type { StoreContext } from './context';
import { runScript } from './scripts';

/** How long an upload's content hash names its campaign (SPEC §20: a double within 24 h is refused). */
export const UPLOAD_PRINT_TTL_MS = DAY_MS;
/** How long a claim waits for its campaign to be committed; an upload that died frees the hash after it. */
const CLAIM_LEASE_MS = 10 * 60_000;

/** The campaign that has an upload's content hash. */
export interface PrintHolder {
  id: string;
  name: string;
  createdAt: number;
  /** False while that upload is still being committed. */
  committed: boolean;
}

/**
 * Upload content hashes (recipients and message) of the last 24 h, each naming its campaign: a second upload of
 * the same content is refused (409 DUPLICATE_UPLOAD) unless forced. Claimed before the campaign is committed, so
 * two identical uploads racing make one campaign; settled once it exists, released when it is not made.
 */
export class UploadPrints {
  constructor(private readonly ctx: StoreContext) {}

  /** Claims `hash` for campaign `id` (undefined: claimed), or answers who has it. `force` takes it over. */
  async claim(hash: string, id: string, name: string, force = false): Promise<PrintHolder | undefined> {
    const res = await runScript<Array<string | null>>(
      this.ctx.redis,
      'claimUploadPrint',
      [this.ctx.keys.uploadPrint(hash)],
      [id, name, Date.now(), CLAIM_LEASE_MS, force ? '1' : '0'],
    );
    if (res.length === 0) return undefined;
    const [holder = '', holderName = '', createdAt = '0', state = ''] = res.map((v) => v ?? '');
    return { id: holder, name: holderName, createdAt: Number(createdAt), committed: state === 'done' };
  }

  /** Campaign `id` exists: its hash names it for 24 h. */
  async settle(hash: string, id: string): Promise<void> {
    await runScript(this.ctx.redis, 'settleUploadPrint', [this.ctx.keys.uploadPrint(hash)], [id, UPLOAD_PRINT_TTL_MS]);
  }

  /** Campaign `id` was not made: its claim goes. */
  async release(hash: string, id: string): Promise<void> {
    await runScript(this.ctx.redis, 'releaseUploadPrint', [this.ctx.keys.uploadPrint(hash)], [id]);
  }

  /** Who has `hash` now, if anyone (a dry run's look, which claims nothing). */
  async holder(hash: string): Promise<PrintHolder | undefined> {
    const [id, name, createdAt, state] = await this.ctx.redis.hmget(
      this.ctx.keys.uploadPrint(hash),
      'id',
      'name',
      'created_at',
      'state',
    );
    if (!id) return undefined;
    return { id, name: name ?? '', createdAt: Number(createdAt ?? 0), committed: state === 'done' };
  }
}
