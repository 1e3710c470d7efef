import { hostname } from 'node:os';
import {
  formatQuietHours,
  type CampaignDefaults,
  type QuietSpan,
  type RowError,
  type SobotImageMessage,
} from '@sobot/schema';
import type { ChunkDefaults } from './recipient-codec';
import { chunkDefaults, encodeRecipient } from './recipient-codec';
import { CHUNK_SIZE, type StoreContext } from './context';
import { WINDOW_MS } from './audience';
import { AUDIENCE, type Audience } from './audience';
import { META, type Lane } from './campaign-meta';
import { Circulation } from './circulation';
import { MESSAGE_SUMMARY_TTL_S } from './ledger';
import type { SendQueue } from './queue';

/** Chunks written during an upload expire unless the upload commits (a crashed producer leaves nothing). */
const STAGING_TTL_S = 6 * 3600;
/** Chunk writes allowed in flight before the upload stream is paused. */
const WRITE_WINDOW = 64;
/** Recipients screened against the suppression list and windows per lookup, and lookups in flight. */
const SCREEN_BATCH = 4_000;
const SCREEN_WINDOW = 16;

/** What an upload checks each recipient against before it is queued (uploads do; API messages do not). */
export interface Screening {
  audience: Audience;
  /** Suppressed numbers are counted in `suppressed` and not queued. */
  suppression: boolean;
  /** Count the recipients inside their 24-hour window (`in_window`). */
  window: boolean;
}
/**
 * An upload in progress says it is alive this often, with its producer's host and pid; one silent for
 * UPLOAD_LEASE_MS, or whose producer's process is gone from this host, is removed by the next sweep
 * (Store.sweepDeadUploads) instead of waiting for STAGING_TTL_S.
 */
const HEARTBEAT_MS = 10_000;
export const UPLOAD_LEASE_MS = 60_000;

export interface CampaignHeader {
  name: string;
  source: 'upload' | 'api';
  defaults: CampaignDefaults;
  total: number;
  rejected: number;
  duplicates: number;
  rejectedRows?: RowError[];
  /** The upload's header cells (CSV, .xlsx): stored with the rejected rows for their download. */
  rejectedHeader?: string[];
  /** Send only the first `size` recipients (whole chunks) until their failure ratio is known. */
  canary?: { size: number; maxFailureRatio: number };
  /** Default: transactional for API messages, bulk for uploads. */
  lane?: Lane;
  /** Share of the bulk rate relative to other running campaigns (1–100, default 1). */
  weight?: number;
  /** Nothing is sent before this time (ms). */
  sendAt?: number;
  /** Recipients wait while this span covers their local time (SPEC §10). */
  quietHours?: QuietSpan;
  /** `skip`: recipients outside their 24-hour window at send time are skipped (default `send`). */
  window?: 'send' | 'skip';
  /** The senders it may use (SPEC §15); empty or absent: every active sender. */
  senders?: string[];
  /** API messages: recipient index → the caller's `metadata` as JSON, stored with the commit. */
  metadata?: ReadonlyMap<number, string>;
}

/**
 * Streams accepted recipients into Redis chunk by chunk, pipelined, while an upload is read. Nothing is
 * visible to workers or the API until `commit`; `abort` removes what was written, and a commit that fails
 * half-way removes what it wrote itself.
 */
export class CampaignWriter {
  private rows: unknown[] = [];
  private chunks = 0;
  private accepted = 0;
  private window: Promise<unknown>[] = [];
  private failure: unknown;
  private readonly defaults: ChunkDefaults;
  /** Recipients waiting for their screening lookup, the lookups in flight, and the last one's end. */
  private unscreened: SobotImageMessage[] = [];
  private screening: Array<Promise<void>> = [];
  private screened: Promise<void> = Promise.resolve();
  /** Whether there is anything to screen against (none suppressed, no inbound for a day: no lookups). */
  private readonly needed: Promise<{ suppression: boolean; window: boolean }> | undefined;
  /** Known once the first recipient arrives: false when there is nothing to screen (recipients go straight in). */
  private screens: boolean | undefined;
  private filter: Promise<(number: string) => boolean> | undefined;
  private suppressedCount = 0;
  private inWindowCount = 0;

  constructor(
    private readonly ctx: StoreContext,
    private readonly queue: SendQueue,
    readonly campaignId: string,
    defaults: CampaignDefaults,
    private readonly screen?: Screening,
  ) {
    this.defaults = chunkDefaults(defaults);
    if (screen) {
      this.needed = Promise.all([
        screen.suppression ? screen.audience.suppressedCount() : 0,
        screen.window ? screen.audience.lastInboundAt() : null,
      ]).then(([suppressed, inbound]) => ({
        suppression: suppressed > 0,
        window: inbound !== null && Date.now() - inbound < WINDOW_MS,
      }));
      this.needed.catch(() => undefined);
    }
  }

  /** Sink for ingest: returns a promise only when the write or screening window is full (backpressure). */
  readonly add = (message: SobotImageMessage): void | Promise<void> => {
    if (this.screen && this.screens !== false) {
      // The first recipient waits for the answer: with nothing suppressed and no window to count, an upload holds
      // no screening batches in memory (64,000 recipients) and costs no lookup.
      if (this.screens === undefined)
        return this.needed!.then((n) => {
          this.screens = n.suppression || n.window;
          return this.add(message);
        });
      this.unscreened.push(message);
      if (this.unscreened.length === SCREEN_BATCH) return this.screenBatch();
      return undefined;
    }
    return this.accept(message);
  };

  private accept(message: SobotImageMessage): void | Promise<void> {
    this.rows.push(encodeRecipient(message, this.defaults));
    this.accepted += 1;
    if (this.rows.length === CHUNK_SIZE) return this.writeChunk();
    return undefined;
  }

  /**
   * Looks the waiting recipients up (suppressed? inside the window?) and accepts the others in order once the
   * lookups before have been applied. Lookups overlap with reading the upload.
   */
  private screenBatch(): void | Promise<void> {
    const batch = this.unscreened;
    this.unscreened = [];
    const { audience } = this.screen!;
    const full = batch.length === SCREEN_BATCH;
    const flags = this.needed!.then(async (n) => {
      if (!n.window && !n.suppression) return undefined;
      if (n.window || !full)
        return audience.lookup(
          batch.map((m) => m.customer_number),
          { window: n.window },
        );
      // A long upload and only the suppression list to check: its prefilter (read once) spares most lookups.
      const maybe = await (this.filter ??= audience.suppressionFilter());
      const candidates: number[] = [];
      for (let i = 0; i < batch.length; i += 1) if (maybe(batch[i]!.customer_number)) candidates.push(i);
      const found = await audience.lookup(candidates.map((i) => batch[i]!.customer_number));
      const all = new Uint8Array(batch.length);
      candidates.forEach((i, k) => (all[i] = found[k]!));
      return all;
    });
    flags.catch(() => undefined);
    const applied = this.screened.then(async () => {
      const f = await flags;
      for (let i = 0; i < batch.length; i += 1) {
        const bits = f ? f[i]! : 0;
        if (bits & AUDIENCE.suppressed) {
          this.suppressedCount += 1;
          continue;
        }
        if (bits & AUDIENCE.inWindow) this.inWindowCount += 1;
        const wait = this.accept(batch[i]!);
        if (wait) await wait;
      }
    });
    this.screened = applied;
    applied.catch((err: unknown) => {
      this.failure ??= err;
    });
    this.screening.push(applied);
    if (this.screening.length < SCREEN_WINDOW) return undefined;
    return this.screening.shift()!.then(() => {
      if (this.failure) throw this.failure;
    });
  }

  get count(): number {
    return this.accepted;
  }

  /** Recipients left out because their numbers are suppressed (after commit). */
  get suppressed(): number {
    return this.suppressedCount;
  }

  /** Accepted recipients inside their 24-hour window at upload (after commit). */
  get inWindow(): number {
    return this.inWindowCount;
  }

  private heartbeat: NodeJS.Timeout | undefined;

  /** Registers the upload as alive (with how many chunks it wrote), and keeps doing so until it ends. */
  private alive(): Promise<unknown> {
    if (!this.heartbeat) {
      this.heartbeat = setInterval(() => void this.alive().catch(() => undefined), HEARTBEAT_MS);
      this.heartbeat.unref();
    }
    const lease = `${Date.now() + UPLOAD_LEASE_MS}:${this.chunks}:${hostname()}:${process.pid}`;
    return this.ctx.redis.hset(this.ctx.keys.uploads, this.campaignId, lease);
  }

  private ended(): Promise<unknown> {
    clearInterval(this.heartbeat);
    return this.ctx.redis.hdel(this.ctx.keys.uploads, this.campaignId);
  }

  private writeChunk(): void | Promise<void> {
    const key = this.ctx.keys.chunk(this.campaignId, this.chunks);
    this.chunks += 1;
    // Registered (with the new chunk count) before the chunk is written: a sweep always knows every chunk.
    this.window.push(
      this.alive().catch((err: unknown) => {
        this.failure ??= err;
      }),
    );
    const body = JSON.stringify(this.rows);
    this.rows = [];
    this.window.push(
      this.ctx.redis.set(key, body, 'EX', STAGING_TTL_S).catch((err: unknown) => {
        this.failure ??= err;
      }),
    );
    if (this.window.length >= WRITE_WINDOW) return this.drain();
    return undefined;
  }

  private async drain(): Promise<void> {
    const pending = this.window;
    this.window = [];
    await Promise.all(pending);
    if (this.failure) throw this.failure;
  }

  /**
   * Writes the last chunk and the campaign itself, and enqueues its chunk jobs (with a canary, only the
   * canary's). Throws after undoing what it wrote when any step fails.
   */
  async commit(header: CampaignHeader, createdAt = Date.now()): Promise<void> {
    if (this.screen) {
      // Its failure, if any, is this.failure: drain() below throws it.
      if (this.unscreened.length > 0) this.screenBatch()?.catch(() => undefined);
      await this.screened.catch(() => undefined);
      this.screening = [];
    }
    if (this.rows.length > 0) this.writeChunk();
    await this.drain();
    const { redis, keys } = this.ctx;
    const id = this.campaignId;
    const d = header.defaults;
    const canarySize = header.canary ? Math.min(header.canary.size, this.accepted) : 0;
    const lane: Lane = header.lane ?? (header.source === 'api' ? 'transactional' : 'bulk');
    const weight = header.weight ?? 1;
    // With a canary only its chunks go out now (the rest when it passes, or on resume); a transactional
    // campaign puts every chunk in its queue at once; a bulk one keeps a few in circulation (circulation.ts).
    const first = header.canary
      ? Math.ceil(canarySize / CHUNK_SIZE)
      : lane === 'transactional'
        ? this.chunks
        : Math.min(this.chunks, Circulation.chunksInFlight(weight));
    try {
      const multi = redis.multi();
      multi.hset(keys.meta(id), {
        [META.id]: id,
        [META.name]: header.name,
        [META.source]: header.source,
        [META.status]: 'queued',
        [META.imageUrl]: d.image_url ?? '',
        [META.mimeType]: this.defaults.mime,
        [META.caption]: d.caption ?? '',
        [META.chunkSize]: CHUNK_SIZE,
        [META.chunks]: this.chunks,
        [META.total]: header.total,
        [META.accepted]: this.accepted,
        [META.rejected]: header.rejected,
        [META.duplicates]: header.duplicates,
        [META.createdAt]: createdAt,
        [META.updatedAt]: createdAt,
        [META.retryGeneration]: 0,
        [META.lane]: lane,
        [META.weight]: weight,
        [META.sendAt]: header.sendAt ?? 0,
        [META.nextChunk]: first,
        ...(header.quietHours ? { [META.quietHours]: formatQuietHours(header.quietHours) } : {}),
        [META.suppressed]: this.suppressedCount,
        [META.inWindow]: this.inWindowCount,
        [META.window]: header.window ?? 'send',
        ...(header.senders?.length ? { [META.senders]: header.senders.join(',') } : {}),
        ...(header.canary
          ? {
              [META.canarySize]: canarySize,
              [META.canaryRatio]: header.canary.maxFailureRatio,
              [META.canaryState]: 'pending',
            }
          : {}),
      });
      multi.hset(keys.counts(id), { sent: 0, failed: 0 });
      if (header.metadata && header.metadata.size > 0) multi.hset(keys.metadata(id), header.metadata);
      const rejected = header.rejectedRows ?? [];
      if (header.rejectedHeader && rejected.length > 0)
        multi.rpush(keys.rejectedRows(id), JSON.stringify({ header: header.rejectedHeader }));
      for (let i = 0; i < rejected.length; i += 1000) {
        multi.rpush(keys.rejectedRows(id), ...rejected.slice(i, i + 1000).map((e) => JSON.stringify(e)));
      }
      await multi.exec();
      const persists: Array<Promise<number>> = [];
      for (let n = 0; n < this.chunks; n += 1) persists.push(redis.persist(keys.chunk(id, n)));
      // A chunk that is gone (swept as dead after a very long stall) would leave a hole: refuse the campaign.
      if ((await Promise.all(persists)).some((kept) => kept !== 1)) throw new Error('a staged chunk is missing');
      if (header.source === 'api') {
        await redis.zadd(keys.messageIndex, createdAt, id);
        const summary = keys.messageSummary(Math.floor(createdAt / 3_600_000));
        await redis.hincrby(summary, 'accepted', this.accepted);
        await redis.expire(summary, MESSAGE_SUMMARY_TTL_S);
      } else {
        await redis.zadd(keys.campaignIndex, createdAt, id);
      }
      const chunks = Array.from({ length: first }, (_, n) => n);
      await this.queue.enqueue(id, chunks, { lane, notBefore: header.sendAt });
      await this.ended();
    } catch (err) {
      await this.abort().catch(() => undefined);
      throw err;
    }
  }

  /** Removes every chunk written so far, and the campaign if a commit got that far (nothing is left behind). */
  async abort(): Promise<void> {
    this.unscreened = [];
    await this.screened.catch(() => undefined);
    this.rows = [];
    await Promise.allSettled(this.window);
    this.window = [];
    const { redis, keys } = this.ctx;
    const id = this.campaignId;
    const dels: Promise<unknown>[] = [redis.zrem(keys.campaignIndex, id), redis.zrem(keys.messageIndex, id)];
    dels.push(redis.unlink(keys.meta(id), keys.counts(id), keys.rejectedRows(id), keys.metadata(id)));
    for (let n = 0; n < this.chunks; n += 1) dels.push(redis.unlink(keys.chunk(id, n)));
    await Promise.all(dels);
    await this.ended();
  }
}
