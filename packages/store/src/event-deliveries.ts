import { parseMeta, type CampaignMeta } from './campaign-meta';
import { locate, type StoreContext } from './context';
import { decodeDelivery } from './delivery-codec';
import { messageId } from './ids';
import { EVENT_KINDS, isEventKind, type EventKind } from './outbox';
import { decodeOutcome } from './outcome-codec';
import { runScript } from './scripts';

/**
 * An event waiting for one endpoint is a ref `<campaign>.<stream id>.<kind letter>[.<message index>]` (~40 bytes)
 * in the endpoint's queue: its body is rebuilt from the ledger when it is sent. Its id (`webhook-id`) comes from the
 * campaign and the stream id, so every attempt, replay or re-delivery after a crash carries the same one.
 */
export interface EventRef {
  ref: string;
  campaignId: string;
  sid: string;
  kind: EventKind;
  index?: number;
}

export function eventRef(campaignId: string, sid: string, kind: EventKind, index?: number): string {
  return index === undefined ? `${campaignId}.${sid}.${kind}` : `${campaignId}.${sid}.${kind}.${index}`;
}

export function parseEventRef(ref: string): EventRef | undefined {
  const m = /^(c[0-9a-z]{15})\.(\d{1,16}-\d{1,19})\.([A-Za-z])(?:\.(\d{1,9}))?$/.exec(ref);
  if (!m || !isEventKind(m[3]!)) return undefined;
  return { ref, campaignId: m[1]!, sid: m[2]!, kind: m[3], index: m[4] === undefined ? undefined : Number(m[4]) };
}

/** The event id of a ref: `evt_<campaign>_<stream id>`. */
export function eventIdOf(r: Pick<EventRef, 'campaignId' | 'sid'>): string {
  return `evt_${r.campaignId}_${r.sid}`;
}

/** An event as sent (SPEC §16): `{id, type, created_at, data}`. */
export interface EventBody {
  id: string;
  type: string;
  created_at: string;
  data: Record<string, unknown>;
}

/** A delivery as listed (`GET …/deliveries`). */
export interface DeliveryRecord {
  id: string;
  type: string;
  status: 'pending' | 'succeeded' | 'failed';
  attempts: number;
  created_at: string;
  /** pending: when the next attempt is due; failed / succeeded: when that happened. */
  at: string;
  last_status: number | null;
  last_error: string | null;
}

/** An endpoint's health (the page and /metrics). */
export interface EndpointHealth {
  succeeded: number;
  retried: number;
  failed: number;
  lastSuccessAt: number | null;
  failingSince: number | null;
  lastStatus: number | null;
  lastError: string | null;
  disabledAt: number | null;
  /** Deliveries waiting (due or not) and failed ones kept. */
  backlog: number;
  failedKept: number;
  /** Age (ms) of the oldest pending event; 0 when none. */
  lagMs: number;
}

/** Succeeded deliveries listed per endpoint (the newest). */
export const SUCCEEDED_KEPT = 1_000;
/** SPEC §16: a failed delivery is kept 14 days. */
export const FAILED_KEPT_MS = 14 * 86_400_000;

const score = (dueMs: number, attempts: number) => Math.round(dueMs) * 16 + Math.min(15, attempts);
const decodeScore = (s: number) => ({ dueMs: Math.floor(s / 16), attempts: s % 16 });

interface Cached<T> {
  value: T;
  until: number;
}

/**
 * The endpoints' delivery queues (all keys under `{ev}`), and the bodies of their events rebuilt from the ledger:
 * chunk numbers are cached (a chunk's recipients never change), campaign meta for a second.
 */
export class EventDeliveries {
  private readonly numbers = new Map<string, string[]>();
  private readonly metas = new Map<string, Cached<CampaignMeta | undefined>>();

  constructor(private readonly ctx: StoreContext) {}

  /** Takes up to `n` due deliveries for `leaseMs`: refs with the attempts already made. */
  async claim(ep: string, n: number, leaseMs: number, now = Date.now()) {
    const raw = await runScript<Array<string | number>>(
      this.ctx.redis,
      'claimEventDeliveries',
      [this.ctx.keys.eventQueue(ep)],
      [now, leaseMs, n],
    );
    const out: Array<{ ref: string; attempts: number }> = [];
    for (let i = 0; i + 1 < raw.length; i += 2) out.push({ ref: String(raw[i]), attempts: Number(raw[i + 1]) });
    return out;
  }

  /** A 2xx: the delivery leaves the queue; the endpoint is healthy. */
  async succeeded(ep: string, ref: string, attempts: number, status: number, type: string, now = Date.now()) {
    const { redis, keys } = this.ctx;
    const r = parseEventRef(ref);
    const record: DeliveryRecord = {
      id: r ? eventIdOf(r) : ref,
      type,
      status: 'succeeded',
      attempts,
      created_at: new Date(r ? Number(r.sid.split('-')[0]) : now).toISOString(),
      at: new Date(now).toISOString(),
      last_status: status,
      last_error: null,
    };
    await redis
      .multi()
      .zrem(keys.eventQueue(ep), ref)
      .hdel(keys.eventFailedBodies(ep), ref)
      .hdel(keys.eventReasons, record.id)
      .lpush(keys.eventSucceeded(ep), JSON.stringify(record))
      .ltrim(keys.eventSucceeded(ep), 0, SUCCEEDED_KEPT - 1)
      .hincrby(keys.eventHealth(ep), 'ok', 1)
      .hset(keys.eventHealth(ep), 'last_ok', now, 'last_status', status, 'last_error', '')
      .hdel(keys.eventHealth(ep), 'failing')
      .exec();
  }

  /** A failed attempt with attempts left: the next one is due at `dueMs`. */
  async retryLater(ep: string, ref: string, attempts: number, dueMs: number, last: AttemptNote, now = Date.now()) {
    const { redis, keys } = this.ctx;
    await redis
      .multi()
      .zadd(keys.eventQueue(ep), 'XX', score(dueMs, attempts), ref)
      .hincrby(keys.eventHealth(ep), 'retried', 1)
      .hsetnx(keys.eventHealth(ep), 'failing', now)
      .hset(keys.eventHealth(ep), 'last_status', last.status ?? '', 'last_error', last.error ?? '')
      .exec();
  }

  /** Every attempt spent: the delivery is `failed`, kept FAILED_KEPT_MS with its body for a replay. */
  async failed(
    ep: string,
    ref: string,
    attempts: number,
    body: EventBody | undefined,
    last: AttemptNote,
    now = Date.now(),
  ) {
    const { redis, keys } = this.ctx;
    const kept = JSON.stringify({ body, attempts, status: last.status, error: last.error });
    await redis
      .multi()
      .zrem(keys.eventQueue(ep), ref)
      .zadd(keys.eventFailed(ep), now, ref)
      .hset(keys.eventFailedBodies(ep), ref, kept)
      .hincrby(keys.eventHealth(ep), 'failed', 1)
      .hsetnx(keys.eventHealth(ep), 'failing', now)
      .hset(keys.eventHealth(ep), 'last_status', last.status ?? '', 'last_error', last.error ?? '')
      .exec();
  }

  /** A 410: the endpoint is disabled (its backlog kept); the delivery waits with the attempts it had. */
  async disable(ep: string, ref: string, attempts: number, now = Date.now()) {
    const { redis, keys } = this.ctx;
    await redis
      .multi()
      .zadd(keys.eventQueue(ep), 'XX', score(now, attempts), ref)
      .hset(keys.eventEndpoint(ep), 'off', now)
      .hincrby(keys.eventHealth(ep), 'disabled', 1)
      .hsetnx(keys.eventHealth(ep), 'failing', now)
      .hset(keys.eventHealth(ep), 'last_status', 410, 'last_error', '')
      .exec();
  }

  /** A delivery handed back untried (a dispatcher stopping): due again now with the attempts it had. */
  async handBack(ep: string, ref: string, attempts: number, now = Date.now()) {
    await this.ctx.redis.zadd(this.ctx.keys.eventQueue(ep), 'XX', score(now, attempts), ref);
  }

  /**
   * Puts failed deliveries back in the queue, due now with a fresh schedule: the one with event id `id`, or every
   * one that failed at or after `sinceMs`. Re-enables the endpoint (the operator says it works again). How many.
   */
  async replay(ep: string, which: { id: string } | { sinceMs: number }, now = Date.now()): Promise<number> {
    const { redis, keys } = this.ctx;
    let refs: string[];
    if ('id' in which) {
      const m = /^evt_(c[0-9a-z]{15})_(\d{1,16}-\d{1,19})$/.exec(which.id);
      if (!m) return 0;
      const prefix = `${m[1]}.${m[2]}.`;
      const found = await redis.zscan(keys.eventFailed(ep), 0, 'MATCH', `${prefix}*`, 'COUNT', 10_000);
      refs = found[1].filter((_, i) => i % 2 === 0);
    } else {
      refs = await redis.zrangebyscore(keys.eventFailed(ep), Math.max(0, Math.floor(which.sinceMs)), '+inf');
    }
    await redis.hdel(keys.eventEndpoint(ep), 'off');
    for (let i = 0; i < refs.length; i += 1_000) {
      const slice = refs.slice(i, i + 1_000);
      const args: Array<string | number> = [];
      for (const ref of slice) args.push(score(now, 0), ref);
      await redis
        .multi()
        .zrem(keys.eventFailed(ep), ...slice)
        .zadd(keys.eventQueue(ep), ...args)
        .exec();
    }
    return refs.length;
  }

  /** The body kept with a failed delivery that is being replayed (used when the ledger no longer has it). */
  async keptBody(ep: string, ref: string): Promise<EventBody | undefined> {
    const raw = await this.ctx.redis.hget(this.ctx.keys.eventFailedBodies(ep), ref);
    if (!raw) return undefined;
    return (JSON.parse(raw) as { body?: EventBody }).body;
  }

  /** Drops failed deliveries older than FAILED_KEPT_MS (and their bodies); how many. */
  async prune(ep: string, now = Date.now()): Promise<number> {
    const { redis, keys } = this.ctx;
    const old = await redis.zrangebyscore(keys.eventFailed(ep), '-inf', now - FAILED_KEPT_MS, 'LIMIT', 0, 1_000);
    if (old.length === 0) return 0;
    await redis
      .multi()
      .zrem(keys.eventFailed(ep), ...old)
      .hdel(keys.eventFailedBodies(ep), ...old)
      .exec();
    return old.length;
  }

  /** Everything an endpoint keeps, when it is removed. */
  async forget(ep: string): Promise<void> {
    const { keys } = this.ctx;
    await this.ctx.redis.unlink(
      keys.eventQueue(ep),
      keys.eventFailed(ep),
      keys.eventFailedBodies(ep),
      keys.eventSucceeded(ep),
      keys.eventHealth(ep),
    );
  }

  /** The endpoint's deliveries of one status, newest first (pending: soonest due first), up to `limit`. */
  async list(ep: string, status: DeliveryRecord['status'], limit = 100): Promise<DeliveryRecord[]> {
    const { redis, keys } = this.ctx;
    if (status === 'succeeded') {
      return (await redis.lrange(keys.eventSucceeded(ep), 0, limit - 1)).map((r) => JSON.parse(r) as DeliveryRecord);
    }
    const iso = (ms: number) => new Date(ms).toISOString();
    if (status === 'pending') {
      const raw = await redis.zrange(keys.eventQueue(ep), 0, limit - 1, 'WITHSCORES');
      const out: DeliveryRecord[] = [];
      for (let i = 0; i + 1 < raw.length; i += 2) {
        const r = parseEventRef(raw[i]!);
        if (!r) continue;
        const { dueMs, attempts } = decodeScore(Number(raw[i + 1]));
        out.push({
          id: eventIdOf(r),
          type: EVENT_KINDS[r.kind],
          status,
          attempts,
          created_at: iso(Number(r.sid.split('-')[0])),
          at: iso(dueMs),
          last_status: null,
          last_error: null,
        });
      }
      return out;
    }
    const raw = await redis.zrevrange(keys.eventFailed(ep), 0, limit - 1, 'WITHSCORES');
    const refs = raw.filter((_, i) => i % 2 === 0);
    const bodies = refs.length ? await redis.hmget(keys.eventFailedBodies(ep), ...refs) : [];
    const out: DeliveryRecord[] = [];
    refs.forEach((ref, i) => {
      const r = parseEventRef(ref);
      if (!r) return;
      const kept = bodies[i] ? (JSON.parse(bodies[i]!) as { attempts?: number; status?: number; error?: string }) : {};
      out.push({
        id: eventIdOf(r),
        type: EVENT_KINDS[r.kind],
        status,
        attempts: kept.attempts ?? 0,
        created_at: iso(Number(r.sid.split('-')[0])),
        at: iso(Number(raw[i * 2 + 1])),
        last_status: kept.status ?? null,
        last_error: kept.error || null,
      });
    });
    return out;
  }

  async health(ep: string, now = Date.now()): Promise<EndpointHealth> {
    const { redis, keys } = this.ctx;
    const [h, off, backlog, failedKept, head] = await Promise.all([
      redis.hgetall(keys.eventHealth(ep)),
      redis.hget(keys.eventEndpoint(ep), 'off'),
      redis.zcard(keys.eventQueue(ep)),
      redis.zcard(keys.eventFailed(ep)),
      redis.zrange(keys.eventQueue(ep), 0, 99),
    ]);
    let oldest = now;
    for (const ref of head) oldest = Math.min(oldest, Number(parseEventRef(ref)?.sid.split('-')[0] ?? now));
    const num = (v: string | undefined) => (v ? Number(v) : null);
    return {
      succeeded: Number(h.ok ?? 0),
      retried: Number(h.retried ?? 0),
      failed: Number(h.failed ?? 0),
      lastSuccessAt: num(h.last_ok),
      failingSince: num(h.failing),
      lastStatus: num(h.last_status),
      lastError: h.last_error || null,
      disabledAt: num(off ?? undefined),
      backlog,
      failedKept,
      lagMs: Math.max(0, now - oldest),
    };
  }

  /** When the endpoint was disabled by a 410 (ms), or null. */
  async disabledAt(ep: string): Promise<number | null> {
    const off = await this.ctx.redis.hget(this.ctx.keys.eventEndpoint(ep), 'off');
    return off ? Number(off) : null;
  }

  /**
   * The body of the event a ref stands for, rebuilt from the ledger (SPEC §16 fields); undefined when its campaign
   * or message is gone (retention).
   */
  async body(ref: EventRef, now = Date.now()): Promise<EventBody | undefined> {
    const meta = await this.meta(ref.campaignId, now);
    if (!meta) return undefined;
    const id = eventIdOf(ref);
    const type = EVENT_KINDS[ref.kind];
    const createdAt = new Date(Number(ref.sid.split('-')[0])).toISOString();
    const { redis, keys } = this.ctx;
    if (ref.kind === 'C' || ref.kind === 'P') {
      const data: Record<string, unknown> = { campaign_id: ref.campaignId, name: meta.name };
      if (ref.kind === 'P') {
        data.reason = (await redis.hget(keys.eventReasons, id)) ?? meta.pausedReason ?? null;
      } else {
        const c = await redis.hmget(keys.counts(ref.campaignId), 'sent', 'failed', 'skipped');
        data.counts = {
          accepted: meta.accepted,
          sent: Number(c[0] ?? 0),
          failed: Number(c[1] ?? 0),
          skipped: Number(c[2] ?? 0),
        };
      }
      return { id, type, created_at: createdAt, data };
    }
    if (ref.index === undefined || ref.index >= meta.accepted) return undefined;
    const { chunk, offset } = locate(ref.index, meta.chunkSize);
    const [numbers, rawOutcome, rawDelivery, metadata] = await Promise.all([
      this.chunkNumbers(ref.campaignId, chunk),
      redis.hget(keys.outcomes(ref.campaignId, chunk), String(offset)),
      ref.kind === 'd' || ref.kind === 'r' ? redis.hget(keys.deliveries(ref.campaignId, chunk), String(offset)) : null,
      meta.source === 'api' ? redis.hget(keys.metadata(ref.campaignId), String(ref.index)) : null,
    ]);
    const number = numbers?.[offset];
    if (number === undefined) return undefined;
    const o = rawOutcome ? decodeOutcome(rawOutcome) : undefined;
    const data: Record<string, unknown> = {
      message_id: messageId(ref.campaignId, ref.index),
      campaign_id: ref.campaignId,
      customer_number: number,
      sender: null,
      metadata: metadata ? (JSON.parse(metadata) as unknown) : null,
    };
    if (ref.kind === 's' || ref.kind === 'd' || ref.kind === 'r') data.wamid = o?.wamid || null;
    if (ref.kind === 'f' || ref.kind === 'k') {
      data.code = o?.code || null;
      data.reason = o?.message || null;
    }
    if (ref.kind === 'd' || ref.kind === 'r') {
      const d = decodeDelivery(rawDelivery ?? undefined);
      data.status_at = d?.at ? new Date(d.at).toISOString() : null;
    }
    return { id, type, created_at: createdAt, data };
  }

  private async meta(id: string, now: number): Promise<CampaignMeta | undefined> {
    const hit = this.metas.get(id);
    if (hit && hit.until > now) return hit.value;
    const value = parseMeta(await this.ctx.redis.hgetall(this.ctx.keys.meta(id)));
    if (this.metas.size > 1_000) this.metas.clear();
    this.metas.set(id, { value, until: now + 1_000 });
    return value;
  }

  private async chunkNumbers(id: string, chunk: number): Promise<string[] | undefined> {
    const key = `${id}/${chunk}`;
    const hit = this.numbers.get(key);
    if (hit) return hit;
    const body = await this.ctx.redis.get(this.ctx.keys.chunk(id, chunk));
    if (body === null) return undefined;
    const numbers = (JSON.parse(body) as Array<[string]>).map((r) => String(r[0]));
    if (this.numbers.size >= 256) this.numbers.delete(this.numbers.keys().next().value!);
    this.numbers.set(key, numbers);
    return numbers;
  }
}

/** The last answer of a failed attempt. */
export interface AttemptNote {
  status: number | null;
  error: string | null;
}
