import { DAY_MS, SEND_POLICY, clipBytes, type SobotImageMessage } from '@sobot/schema';
import { parseMeta, type CampaignMeta } from './campaign-meta';
import type { StoreContext } from './context';
import { messageId } from './ids';
import { decodeOutcome, encodeOutcome, storedCode, type Outcome } from './outcome-codec';
import { decodeChunk } from './recipient-codec';
import type { Circulation } from './circulation';
import type { Outbox } from './outbox';
import { expireCampaign, inheritTtl } from './retention';
import { runScript } from './scripts';

export interface LoadedChunk {
  meta: CampaignMeta;
  recipients: SobotImageMessage[];
  /** Outcomes already recorded, by index within the chunk. */
  outcomes: Map<number, Outcome>;
}

export interface RecordResult {
  /** Outcomes newly written (terminal ones already recorded are not). */
  applied: number;
  /** This call ended the campaign's last recipient. */
  completed: boolean;
  /** This call passed the canary: the held chunks may go. */
  canaryPassed: boolean;
  /** This call tripped the campaign breaker: the campaign is paused (SPEC §13). */
  breakerTripped: boolean;
}

export interface OutcomeEntry {
  offset: number;
  outcome: Outcome;
}

/** The worker's view of the result store: read a chunk, record outcomes once each, park and finish. */
export class Ledger {
  /** Wamid index keys this process already gave a TTL (one EXPIRE per key and process is enough). */
  private readonly expiring = new Set<string>();

  constructor(
    private readonly ctx: StoreContext,
    private readonly circulation: Circulation,
    private readonly resultTtlSeconds: number,
    private readonly outbox?: Outbox,
  ) {}

  async meta(campaignId: string): Promise<CampaignMeta | undefined> {
    return parseMeta(await this.ctx.redis.hgetall(this.ctx.keys.meta(campaignId)));
  }

  /** Remembers a chunk job parked while its campaign is paused, so that resume can wake it. */
  async park(campaignId: string, jobId: string): Promise<void> {
    await this.ctx.redis.sadd(this.ctx.keys.parked(campaignId), jobId);
    await inheritTtl(this.ctx, campaignId, this.ctx.keys.parked(campaignId));
  }

  /** Puts up to `n` more chunks of a bulk campaign in circulation (see circulation.ts); how many. */
  async release(campaignId: string, n: number): Promise<number> {
    return this.circulation.release(campaignId, n);
  }

  /** A campaign that just completed: its results are kept RESULT_TTL_DAYS, then Redis drops them. */
  async finish(campaignId: string): Promise<void> {
    await expireCampaign(this.ctx, campaignId, this.resultTtlSeconds);
  }

  /**
   * How many of the chunk's recipients quiet hours hold now and when the first may be sent (`count` 0: none).
   * Written by the job that holds the chunk's lease, after its outcomes: one HSET or HDEL, atomic by itself.
   */
  async setWaiting(campaignId: string, chunk: number, count: number, untilMs: number, reason = ''): Promise<void> {
    const key = this.ctx.keys.waiting(campaignId);
    if (count > 0) {
      await this.ctx.redis.hset(key, String(chunk), `${count}:${Math.round(untilMs)}${reason ? `:${reason}` : ''}`);
      await inheritTtl(this.ctx, campaignId, key);
    } else await this.ctx.redis.hdel(key, String(chunk));
  }

  /** Undefined when the campaign (or the chunk) no longer exists. One round trip. */
  async loadChunk(campaignId: string, chunk: number): Promise<LoadedChunk | undefined> {
    const { redis, keys } = this.ctx;
    const [metaHash, body, outcomeHash] = await Promise.all([
      redis.hgetall(keys.meta(campaignId)),
      redis.get(keys.chunk(campaignId, chunk)),
      redis.hgetall(keys.outcomes(campaignId, chunk)),
    ]);
    const meta = parseMeta(metaHash);
    if (!meta || body === null) return undefined;
    const outcomes = new Map<number, Outcome>();
    for (const [k, v] of Object.entries(outcomeHash)) outcomes.set(Number(k), decodeOutcome(v));
    return { meta, recipients: decodeChunk(body, meta.defaults), outcomes };
  }

  /**
   * Takes the chunk's lease for `ms` (one job sends a chunk at a time: a retry-failed job, a resumed
   * job or a falsely stalled one wait for the other to finish instead of sending the same recipients).
   */
  async lease(campaignId: string, chunk: number, token: string, ms: number): Promise<boolean> {
    const key = this.ctx.keys.lease(campaignId, chunk);
    if ((await this.ctx.redis.set(key, token, 'PX', ms, 'NX')) === 'OK') return true;
    if ((await this.ctx.redis.get(key)) !== token) return false;
    await this.ctx.redis.pexpire(key, ms);
    return true;
  }

  async releaseLease(campaignId: string, chunk: number, token: string): Promise<void> {
    const key = this.ctx.keys.lease(campaignId, chunk);
    if ((await this.ctx.redis.get(key)) === token) await this.ctx.redis.del(key);
  }

  /**
   * Records outcomes of one chunk atomically; terminal ones are written once. Sent outcomes are also
   * indexed by wamid for the delivery webhook. Returns whether this call completed the campaign.
   */
  async record(
    campaignId: string,
    chunk: number,
    chunkSize: number,
    entries: OutcomeEntry[],
    source: CampaignMeta['source'] = 'upload',
  ): Promise<RecordResult> {
    const { redis, keys } = this.ctx;
    const now = Date.now();
    const { firstRequests, window, share } = SEND_POLICY.campaignBreaker;
    // SPEC §16: the events of these outcomes go to the outbox in the script's own step (when an endpoint exists).
    const events = this.outbox ? await this.outbox.prepare(campaignId) : { key: '', marked: undefined };
    const args: Array<string | number> = [now, Math.floor(now / 1000), firstRequests, window, share];
    args.push(events.key, chunk * chunkSize);
    for (const { offset, outcome: o } of entries) {
      const reason = o.kind === 'f' || o.kind === 'k';
      args.push(offset, encodeOutcome(o), reason ? storedCode(o.code) : '', reason ? clipBytes(o.message) : '');
    }
    // The script and the wamid index writes go out together: one round trip.
    const recorded = runScript<number[]>(
      redis,
      'recordOutcomes',
      [
        keys.meta(campaignId),
        keys.counts(campaignId),
        keys.failures(campaignId),
        keys.perSecond(campaignId),
        keys.outcomes(campaignId, chunk),
        keys.breaker(campaignId),
      ],
      args,
    );
    const day = Math.floor(now / DAY_MS);
    const byKey = new Map<string, string[]>();
    for (const e of entries) {
      if (e.outcome.kind !== 's' || !e.outcome.wamid) continue;
      const key = keys.wamidIndex(day, wamidBucket(e.outcome.wamid));
      const fields = byKey.get(key) ?? [];
      fields.push(e.outcome.wamid, messageId(campaignId, chunk * chunkSize + e.offset));
      byKey.set(key, fields);
    }
    const indexing: Promise<unknown>[] = events.marked ? [events.marked] : [];
    for (const [key, fields] of byKey) {
      indexing.push(redis.hset(key, ...fields));
      if (!this.expiring.has(key)) {
        this.expiring.add(key);
        indexing.push(redis.expire(key, WAMID_INDEX_TTL_S));
      }
    }
    const [[applied = 0, , completed = 0, canary = 0, sent = 0, failed = 0, skipped = 0, breaker = 0]] =
      await Promise.all([recorded, ...indexing]);
    // API messages are a stream: their sent / failed / skipped counts also go to the hour's summary.
    if (source === 'api' && sent + failed + skipped > 0) {
      const summary = keys.messageSummary(Math.floor(now / 3_600_000));
      const multi = redis.multi();
      if (sent) multi.hincrby(summary, 'sent', sent);
      if (failed) multi.hincrby(summary, 'failed', failed);
      if (skipped) multi.hincrby(summary, 'skipped', skipped);
      multi.expire(summary, MESSAGE_SUMMARY_TTL_S);
      await multi.exec();
    }
    return { applied, completed: completed === 1, canaryPassed: canary === 1, breakerTripped: breaker === 1 };
  }
}

/** An hour's summary of API messages is kept two days (the page shows the last 24 h). */
export const MESSAGE_SUMMARY_TTL_S = 2 * 86_400;
/**
 * Delivery events arrive within hours: the index of a day's wamids is kept a week (find-wamids-8.lua takes
 * WAMID_INDEX_DAYS + 1 day keys).
 */
export const WAMID_INDEX_DAYS = 7;
const WAMID_INDEX_TTL_S = (WAMID_INDEX_DAYS + 1) * 86_400;

/** The message id a wamid was recorded for, looking through the last week's index. */
export async function findWamid(ctx: StoreContext, wamid: string, now = Date.now()): Promise<string | undefined> {
  return (await findWamids(ctx, [wamid], now)).get(wamid);
}

/**
 * The message ids of many wamids (those found), looking through the last week's index: one script per
 * index bucket (its day hashes share a hash tag), all sent at once (auto-pipelined: one round trip), each
 * sending its wamids once and getting back only the hits, whatever the number of wamids.
 */
export async function findWamids(
  ctx: StoreContext,
  wamids: readonly string[],
  now = Date.now(),
): Promise<Map<string, string>> {
  const today = Math.floor(now / DAY_MS);
  const byBucket = new Map<number, string[]>();
  for (const wamid of new Set(wamids)) {
    const bucket = wamidBucket(wamid);
    const list = byBucket.get(bucket);
    if (list) list.push(wamid);
    else byBucket.set(bucket, [wamid]);
  }
  const found = new Map<string, string>();
  await Promise.all(
    [...byBucket].map(async ([bucket, list]) => {
      const days = Array.from({ length: WAMID_INDEX_DAYS + 1 }, (_, i) => ctx.keys.wamidIndex(today - i, bucket));
      const hits = await runScript<Array<number | string>>(ctx.redis, 'findWamids', days, list);
      for (let i = 0; i + 1 < hits.length; i += 2) {
        const wamid = list[Number(hits[i]) - 1];
        if (wamid !== undefined) found.set(wamid, String(hits[i + 1]));
      }
    }),
  );
  return found;
}

/** Wamid index buckets per day: few, so that one flush writes each bucket with one HSET of many fields. */
const WAMID_BUCKETS = 16;

/** Which wamid index bucket a wamid lives in. */
export function wamidBucket(wamid: string): number {
  let h = 0;
  for (let i = 0; i < wamid.length; i += 1) h = (h * 31 + wamid.charCodeAt(i)) >>> 0;
  return h % WAMID_BUCKETS;
}
