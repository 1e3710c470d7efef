import { hostname } from 'node:os';
import { Cluster } from 'ioredis';
import type { CampaignDefaults } from '@sobot/schema';
import type { Logger } from 'pino';
import { Audience } from './audience';
import { Senders } from './senders';
import { CampaignControl } from './campaign-control';
import { CampaignReader } from './campaign-view';
import { CampaignWriter } from './campaign-writer';
import { Circulation } from './circulation';
import type { StoreContext } from './context';
import { Deliveries } from './delivery';
import { EventDeliveries } from './event-deliveries';
import { EventEndpoints } from './event-endpoints';
import { FairShare } from './fair-share';
import { StoreFullError, toStoreError, withStoreErrors } from './errors';
import { evictionPolicy, redisHygieneWarnings } from './hygiene';
import { IdempotencyKeys } from './idempotency';
import { newCampaignId } from './ids';
import { Keys } from './keys';
import { Ledger } from './ledger';
import { MetricCounters } from './metrics-store';
import { Outbox, OutboxPump } from './outbox';
import { PageSessions } from './page-sessions';
import { SendQueue } from './queue';
import { createRedis, failFastOnceReady, type RedisClient } from './redis';
import { SendRate, SystemPause } from './send-rate';
import { UploadPrints } from './upload-prints';

/** Whether a process of this host is running (signal 0 tests without signalling). */
function processAlive(pid: number): boolean {
  if (!pid || pid === process.pid) return pid === process.pid;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface StoreConfig {
  /** Redis URL; with `cluster`, comma-separated seed nodes. Default: the local Redis. */
  url?: string;
  cluster?: boolean;
  /** Namespace of every key. */
  prefix: string;
  /** Days a finished campaign's results are kept (RESULT_TTL_DAYS). */
  resultTtlDays: number;
  /** Overrides `resultTtlDays` in seconds: a test shrinks the retention instead of waiting days. */
  resultTtlSeconds?: number;
  /**
   * Commands fail after a couple of reconnect attempts instead of waiting for Redis to come back, and once
   * connected, a command sent while the connection is down fails at once (failFastOnceReady). For an HTTP API: a
   * request answers 503 while Redis is away, rather than hanging and then acting on a call its client gave up on.
   * Workers wait instead (they hold no client); a fail-fast store runs no BullMQ worker.
   */
  failFast?: boolean;
  /**
   * With failFast: a command Redis has not answered after this long fails (StoreUnavailableError), so a hung
   * Redis (stopped process, full network buffer) gives 503s instead of calls that wait forever. Default 3 s: far
   * above any single command or script the API runs.
   */
  commandTimeoutMs?: number;
}

/**
 * The only owner of Redis: every read and write of the product's data goes through the objects it hands out.
 * It opens two connections (our commands and scripts, auto-pipelined; and BullMQ's, which its workers duplicate
 * for blocking calls), logs connection trouble once per reconnect attempt (a Redis restart is survived, not
 * fatal) and warns about Redis settings that lose work.
 *
 * The objects the API uses (campaigns, control, idempotency, deliveries, new campaigns) reject with store
 * errors (StoreUnavailableError, StoreFullError…) rather than raw Redis client errors.
 */
export class Store {
  /** Read campaigns and messages: status views, reports, rejected rows. */
  readonly campaigns: CampaignReader;
  /** Operator actions: pause, resume, cancel, retry-failed. */
  readonly control: CampaignControl;
  /** The worker's side: chunks, outcomes, leases, parking, completion. */
  readonly ledger: Ledger;
  /** The send queue (BullMQ), built once. */
  readonly queue: SendQueue;
  readonly idempotency: IdempotencyKeys;
  /** Upload content hashes of the last 24 h (409 DUPLICATE_UPLOAD). */
  readonly uploadPrints: UploadPrints;
  readonly deliveries: Deliveries;
  readonly metrics: MetricCounters;
  /** The system-wide pause (wrong key, outage). */
  readonly system: SystemPause;
  /** Who may be messaged: the suppression list, 24-hour windows, frequency-cap and 131049 marks. */
  readonly audience: Audience;
  /** Bulk campaigns' share of the sending across every worker. */
  readonly fairShare: FairShare;
  /** The campaign page's sessions (cookie after basic auth). */
  readonly pageSessions: PageSessions;
  /** Where outbound events go (SPEC §16), with their signing secrets. */
  readonly eventEndpoints: EventEndpoints;
  /** The senders (SPEC §15): registry, pauses, messaging budget, the choice of sender per recipient. */
  readonly senders: Senders;
  /** Whether events are written at all (any endpoint), shared by the writers of state changes. */
  readonly outbox: Outbox;
  /** The dispatcher's side: outboxes into endpoint queues. */
  readonly outboxPump: OutboxPump;
  /** Each endpoint's deliveries: queue, failed, succeeded, health, and event bodies rebuilt from the ledger. */
  readonly eventDeliveries: EventDeliveries;
  private readonly ctx: StoreContext;

  private constructor(
    private readonly redis: RedisClient,
    private readonly bull: RedisClient,
    prefix: string,
    resultTtlSeconds: number,
  ) {
    this.ctx = { redis, keys: new Keys(prefix) };
    this.outbox = new Outbox(this.ctx);
    this.outboxPump = new OutboxPump(this.ctx);
    this.eventDeliveries = withStoreErrors(new EventDeliveries(this.ctx));
    this.queue = new SendQueue(bull, this.ctx.keys);
    const circulation = new Circulation(this.ctx, this.queue);
    this.system = new SystemPause(this.ctx);
    const audience = new Audience(this.ctx);
    this.audience = withStoreErrors(audience);
    this.campaigns = withStoreErrors(new CampaignReader(this.ctx, this.system));
    this.control = withStoreErrors(
      new CampaignControl(this.ctx, this.queue, circulation, this.system, resultTtlSeconds, audience, this.outbox),
    );
    this.ledger = withStoreErrors(new Ledger(this.ctx, circulation, resultTtlSeconds, this.outbox));
    this.idempotency = withStoreErrors(new IdempotencyKeys(this.ctx));
    this.uploadPrints = withStoreErrors(new UploadPrints(this.ctx));
    this.deliveries = withStoreErrors(new Deliveries(this.ctx, this.outbox));
    this.metrics = new MetricCounters(this.ctx);
    this.fairShare = new FairShare(this.ctx);
    this.pageSessions = withStoreErrors(new PageSessions(this.ctx));
    this.eventEndpoints = withStoreErrors(new EventEndpoints(this.ctx));
    this.senders = withStoreErrors(new Senders(this.ctx));
  }

  static open(cfg: StoreConfig, log: Logger): Store {
    const url = cfg.url ?? DEFAULT_REDIS_URL;
    if (!cfg.url) log.warn({ redisUrl: url }, 'REDIS_URL is not set: using the local default');
    const retries = cfg.failFast ? { maxRetriesPerRequest: 2, commandTimeout: cfg.commandTimeoutMs ?? 3_000 } : {};
    const redis = createRedis({ url, cluster: cfg.cluster }, retries);
    const bull = createRedis({ url, cluster: cfg.cluster }, { enableAutoPipelining: false, ...retries });
    if (cfg.failFast) for (const client of [redis, bull]) failFastOnceReady(client);
    redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection problem'));
    bull.on('error', () => undefined);
    const store = new Store(redis, bull, cfg.prefix, cfg.resultTtlSeconds ?? cfg.resultTtlDays * 86_400);
    // Without a listener BullMQ prints connection errors as raw stack dumps: keep them in the JSON log.
    for (const queue of store.queue.queues) {
      queue.on('error', (err) => log.warn({ err: err.message }, 'send queue: redis connection problem'));
    }
    void redisHygieneWarnings(redis).then((ws) => ws.forEach((w) => log.warn(w)));
    return store;
  }

  /**
   * A new campaign written while its upload is read; nothing is visible until its commit. With `screen` (uploads)
   * suppressed numbers are left out (counted) and recipients inside their window counted, as they are read.
   */
  newCampaign(
    defaults: CampaignDefaults,
    id = newCampaignId(),
    screen?: { suppression?: boolean; window?: boolean },
  ): CampaignWriter {
    const screening = screen
      ? { audience: this.audience, suppression: screen.suppression ?? true, window: screen.window ?? true }
      : undefined;
    return withStoreErrors(new CampaignWriter(this.ctx, this.queue, id, defaults, screening));
  }

  /**
   * Removes what uploads whose producer died (kill -9, host loss) left behind: their staged chunks. Uploads in
   * progress renew their lease; one whose lease ran out is dead. Returns how many were removed.
   */
  async sweepDeadUploads(now = Date.now()): Promise<number> {
    const { redis, keys } = this.ctx;
    let swept = 0;
    for (const [id, lease] of Object.entries(await redis.hgetall(keys.uploads))) {
      const [expires = '0', chunks = '0', host = '', pid = '0'] = lease.split(':');
      if (Number(expires) > now && !(host === hostname() && !processAlive(Number(pid)))) continue;
      // A campaign that was committed (its producer died just before saying so) keeps its chunks.
      if ((await redis.exists(keys.meta(id))) === 1) {
        await redis.hdel(keys.uploads, id);
        continue;
      }
      // Claim it first: of two producers sweeping at once, one removes it.
      if ((await redis.hdel(keys.uploads, id)) === 0) continue;
      const staged = Array.from({ length: Number(chunks) }, (_, n) => keys.chunk(id, n));
      for (let i = 0; i < staged.length; i += 500) await redis.unlink(...staged.slice(i, i + 500));
      swept += 1;
    }
    return swept;
  }

  /** The one global send rate at `perSecond`. */
  sendRate(perSecond: number): SendRate {
    return new SendRate(this.ctx, perSecond);
  }

  /**
   * Whether the store can take work now: Redis answers, takes a write (not full), and does not run an evicting
   * policy (which would drop queued recipients). For /readyz.
   */
  async health(timeoutMs = 1_000): Promise<{ ok: true } | { ok: false; code: string; message: string }> {
    if (!(await this.ping(timeoutMs)))
      return { ok: false, code: 'STORE_UNAVAILABLE', message: 'Redis is not reachable' };
    try {
      await this.redis.set(this.ctx.keys.probe, '1', 'PX', 5_000);
    } catch (err) {
      const e = toStoreError(err);
      if (e instanceof StoreFullError) return { ok: false, code: e.code, message: e.message };
      return { ok: false, code: 'STORE_UNAVAILABLE', message: 'Redis does not take writes' };
    }
    const policy = await evictionPolicy(this.redis);
    if (policy && policy !== 'noeviction') {
      return {
        ok: false,
        code: 'STORE_EVICTING',
        message: `Redis maxmemory-policy is ${policy}: it may drop queued recipients (set noeviction)`,
      };
    }
    return { ok: true };
  }

  /**
   * Redis's memory (INFO memory): `used` bytes and the `max` it may use (0: no maxmemory). On a cluster, summed
   * over the masters. For /metrics: with noeviction, a full Redis refuses writes.
   */
  async memory(): Promise<{ used: number; max: number }> {
    const nodes = this.redis instanceof Cluster ? this.redis.nodes('master') : [this.redis];
    const infos = await Promise.all(nodes.map((n) => n.info('memory'))).catch((err: unknown) => {
      throw toStoreError(err);
    });
    const field = (info: string, name: string) => Number(new RegExp(`^${name}:(\\d+)`, 'm').exec(info)?.[1] ?? 0);
    return {
      used: infos.reduce((sum, info) => sum + field(info, 'used_memory'), 0),
      max: infos.reduce((sum, info) => sum + field(info, 'maxmemory'), 0),
    };
  }

  /** True when Redis answers within `timeoutMs`. */
  async ping(timeoutMs = 1_000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((r) => (timer = setTimeout(() => r('timeout'), timeoutMs)));
    const answer = await Promise.race([this.redis.ping().catch(() => 'down'), timeout]);
    clearTimeout(timer);
    return answer === 'PONG';
  }

  async close(): Promise<void> {
    await this.queue.close().catch(() => undefined);
    await Promise.all([this.redis.quit().catch(() => undefined), this.bull.quit().catch(() => undefined)]);
  }
}
