import type { StoreContext } from './context';
import { runScript } from './scripts';

/** The event types by the letter an outbox entry carries (SPEC §16). */
export const EVENT_KINDS = {
  s: 'message.sent',
  f: 'message.failed',
  k: 'message.skipped',
  d: 'message.delivered',
  r: 'message.read',
  C: 'campaign.completed',
  P: 'campaign.paused',
} as const;
export type EventKind = keyof typeof EVENT_KINDS;

export function isEventKind(k: string): k is EventKind {
  return Object.prototype.hasOwnProperty.call(EVENT_KINDS, k);
}

/** One outbox entry as the pump reads it. */
export interface OutboxEntry {
  /** Stream id `<ms>-<seq>`: when the change happened, and the event's identity within its campaign. */
  sid: string;
  kind: EventKind;
  /** Message index in the campaign (message events). */
  index?: number;
}

/** An outbox with entries the pump has not read yet, and how many writes it had when listed. */
export interface OutboxSource {
  campaignId: string;
  writes: number;
}

/** How long "is there any event endpoint?" is believed (SPEC §16: events are promised from creation + 1 s). */
export const EVENT_GATE_MS = 1_000;

/**
 * The writer's side of the outbox: whether events are wanted at all (one ZCARD a second per process, so that the
 * send path pays nothing while no endpoint exists), and the mark that tells the pump an outbox has entries.
 */
export class Outbox {
  private wantedUntil = 0;
  private wanted = false;
  private asking: Promise<boolean> | undefined;

  constructor(
    private readonly ctx: StoreContext,
    private readonly gateMs = EVENT_GATE_MS,
  ) {}

  /** True when at least one event endpoint exists (cached `gateMs`; on a Redis error, true: never lose one). */
  async enabled(now = Date.now()): Promise<boolean> {
    if (now < this.wantedUntil) return this.wanted;
    this.asking ??= this.ctx.redis
      .zcard(this.ctx.keys.eventEndpoints)
      .then(
        (n) => n > 0,
        () => true,
      )
      .then((w) => {
        this.wanted = w;
        this.wantedUntil = Date.now() + this.gateMs;
        this.asking = undefined;
        return w;
      });
    return this.asking;
  }

  /** Forgets the cached answer (a test, or the producer right after creating an endpoint). */
  reset(): void {
    this.wantedUntil = 0;
  }

  /**
   * For a script about to change campaign `id`: its outbox key, or '' when no endpoint exists. With a key, the
   * mark for the pump (`marked`) is sent now, in the same tick as the caller's script and before it: on one
   * connection Redis runs them in that order, so an entry the script writes is never left unmarked.
   */
  async prepare(id: string): Promise<{ key: string; marked: Promise<unknown> }> {
    if (!(await this.enabled())) return { key: '', marked: Promise.resolve() };
    const marked = this.ctx.redis.zincrby(this.ctx.keys.eventSources, 1, id);
    return { key: this.ctx.keys.outbox(id), marked };
  }
}

/** Parses the XRANGE reply of an outbox. Entries that are not events (none are written) are skipped. */
function parseEntries(raw: Array<[string, string[]]>): OutboxEntry[] {
  const out: OutboxEntry[] = [];
  for (const [sid, fields] of raw) {
    const f: Record<string, string> = {};
    for (let i = 0; i + 1 < fields.length; i += 2) f[fields[i]!] = fields[i + 1]!;
    if (!f.t || !isEventKind(f.t)) continue;
    out.push({ sid, kind: f.t, index: f.i === undefined ? undefined : Number(f.i) });
  }
  return out;
}

/** The id right after stream id `sid` (XTRIM MINID keeps it and what follows). */
function nextStreamId(sid: string): string {
  const [ms = '0', seq = '0'] = sid.split('-');
  return `${ms}-${BigInt(seq) + 1n}`;
}

/**
 * The pump's side: lists outboxes with unread entries, reads them, hands their events to the endpoint queues
 * (one MULTI on `{ev}`: all or none) and trims what was handed over. One pump runs at a time (a lease).
 */
export class OutboxPump {
  constructor(private readonly ctx: StoreContext) {}

  /** Takes (or renews) the pump lease for `ms`; false when another process holds it. */
  async lease(token: string, ms: number): Promise<boolean> {
    const { redis, keys } = this.ctx;
    if ((await redis.set(keys.eventPump, token, 'PX', ms, 'NX')) === 'OK') return true;
    if ((await redis.get(keys.eventPump)) !== token) return false;
    await redis.pexpire(keys.eventPump, ms);
    return true;
  }

  async releaseLease(token: string): Promise<void> {
    const { redis, keys } = this.ctx;
    if ((await redis.get(keys.eventPump)) === token) await redis.del(keys.eventPump);
  }

  /** Up to `limit` outboxes that have entries to read. */
  async sources(limit: number): Promise<OutboxSource[]> {
    const raw = await this.ctx.redis.zrange(this.ctx.keys.eventSources, 0, limit - 1, 'WITHSCORES');
    const out: OutboxSource[] = [];
    for (let i = 0; i + 1 < raw.length; i += 2) out.push({ campaignId: raw[i]!, writes: Number(raw[i + 1]) });
    return out;
  }

  /** The oldest `count` entries of a campaign's outbox. */
  async read(campaignId: string, count: number): Promise<OutboxEntry[]> {
    const raw = await this.ctx.redis.xrange(this.ctx.keys.outbox(campaignId), '-', '+', 'COUNT', count);
    return parseEntries(raw);
  }

  /**
   * Hands events to endpoint queues (`refs` per endpoint, due now) with the reasons of pauses, then trims the outbox
   * up to `lastSid`. Adding is NX: an event already queued (a pump that died before trimming) keeps its schedule.
   */
  async handOver(
    campaignId: string,
    lastSid: string,
    refs: Map<string, string[]>,
    reasons: Map<string, string>,
    now = Date.now(),
  ): Promise<void> {
    const { redis, keys } = this.ctx;
    const multi = redis.multi();
    for (const [ep, list] of refs) {
      const args: Array<string | number> = [];
      for (const ref of list) args.push(now * 16, ref);
      if (args.length > 0) multi.zadd(keys.eventQueue(ep), 'NX', ...args);
    }
    if (reasons.size > 0) multi.hset(keys.eventReasons, Object.fromEntries(reasons));
    if (refs.size > 0 || reasons.size > 0) await multi.exec();
    else multi.discard();
    await redis.xtrim(keys.outbox(campaignId), 'MINID', nextStreamId(lastSid));
  }

  /** Forgets a source read to its end, unless written again since it was listed; true when forgotten. */
  async settle(source: OutboxSource): Promise<boolean> {
    const { redis, keys } = this.ctx;
    const done = await runScript<number>(
      redis,
      'settleEventSource',
      [keys.eventSources],
      [source.campaignId, source.writes],
    );
    return done === 1;
  }

  /** Entries not yet handed over, over every outbox listed (for the backlog): up to `limit` outboxes looked at. */
  async unread(limit = 100): Promise<number> {
    const sources = await this.sources(limit);
    const lens = await Promise.all(sources.map((s) => this.ctx.redis.xlen(this.ctx.keys.outbox(s.campaignId))));
    return lens.reduce((a, b) => a + b, 0);
  }
}
