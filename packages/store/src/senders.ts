import { clipBytes, type SenderList, type SenderView } from '@sobot/schema';
import { META } from './campaign-meta';
import type { StoreContext } from './context';
import { runScript } from './scripts';
import { SendRate } from './send-rate';

/** A sender's public settings (SPEC §15): never its key pair. */
export interface SenderInfo {
  id: string;
  rate: number;
  portfolio: string;
  /** Business numbers (digits) inbound events of this sender arrive at. */
  numbers: string[];
}

/** How one recipient of a chunk goes (assign()). */
export interface Assignment {
  /** The sender's id; '' when none is active. */
  sender: string;
  /** `go` now; `limit` waits for the messaging limit; `pair` waits for the pair rate; `none`: no active sender. */
  status: 'go' | 'limit' | 'pair' | 'none';
  /** When it may go (ms); 0 at once. */
  until: number;
}

export interface AssignRequest {
  /** The senders allowed, in order (a subset of the registered ones, active or not). */
  senders: SenderInfo[];
  /** Portfolio → messaging limit (null: none). */
  limits: Record<string, number | null>;
  recipients: Array<{ number: string; inWindow: boolean; retry: boolean }>;
  /** A number messaged by a sender within this long gets it again (0: no stickiness). */
  stickyMs: number;
  /** Least ms between two requests to one number from one sender (0: none). */
  pairIntervalMs: number;
  /** The messaging limit's rolling window (24 h; tests shrink it). */
  windowMs: number;
  /** Added to a stamped request's time: the request leaves a little after its chunk was assigned. */
  pairMarginMs: number;
  now?: number;
}

export interface SenderPauseState {
  code: string;
  reason: string;
  since: number;
}

export interface SenderState {
  paused: SenderPauseState | null;
  /** Slowed by half (131048) until this time (ms); 0: not slowed. */
  slowUntil: number;
}

export interface PortfolioUsage {
  portfolio: string;
  messaging_limit: number | null;
  used_24h: number;
  remaining_24h: number | null;
  /** When the oldest counted number leaves the window (ISO), null when none is counted. */
  next_release_at: string | null;
}

const STATUS: Assignment['status'][] = ['go', 'limit', 'pair', 'none'];
/** A worker's in-flight report older than this is not counted (the worker is gone). */
const IN_FLIGHT_FRESH_MS = 5_000;

/** The senders (SPEC §15) as every worker and the producer see them: registry, state, budget, choice. */
export class Senders {
  constructor(private readonly ctx: StoreContext) {}

  /** Writes the senders' public settings and the portfolios' limits (a worker at start); never a key pair. */
  async register(senders: SenderInfo[], limits: Record<string, number | null>): Promise<void> {
    const fields: Record<string, string> = {};
    for (const s of senders)
      fields[`s:${s.id}`] = JSON.stringify({ id: s.id, rate: s.rate, portfolio: s.portfolio, numbers: s.numbers });
    for (const [p, l] of Object.entries(limits)) fields[`l:${p}`] = l === null ? '' : String(l);
    if (Object.keys(fields).length > 0) await this.ctx.redis.hset(this.ctx.keys.senderRegistry, fields);
  }

  /** The registered senders and portfolio limits. */
  async registry(): Promise<{ senders: SenderInfo[]; limits: Record<string, number | null> }> {
    const h = await this.ctx.redis.hgetall(this.ctx.keys.senderRegistry);
    const senders: SenderInfo[] = [];
    const limits: Record<string, number | null> = {};
    for (const [k, v] of Object.entries(h)) {
      if (k.startsWith('s:')) senders.push(JSON.parse(v) as SenderInfo);
      else if (k.startsWith('l:')) limits[k.slice(2)] = v === '' ? null : Number(v);
    }
    senders.sort((a, b) => a.id.localeCompare(b.id));
    return { senders, limits };
  }

  /** One sender's rate, shared by every worker (its own GCRA, as the global one). */
  rate(id: string, perSecond: number): SendRate {
    return new SendRate(this.ctx, perSecond, this.ctx.keys.senderRate(id));
  }

  /** Chooses and admits the sender of each recipient (assign-senders-1.lua), in one step. */
  async assign(r: AssignRequest): Promise<Assignment[]> {
    const args: Array<string | number> = [
      r.now ?? Date.now(),
      this.ctx.keys.senders,
      r.stickyMs,
      r.pairIntervalMs,
      r.windowMs,
      r.pairMarginMs,
      r.senders.length,
    ];
    for (const s of r.senders) args.push(s.id, s.rate, s.portfolio, r.limits[s.portfolio] ?? -1);
    for (const x of r.recipients) args.push(x.number, (x.inWindow ? 1 : 0) + (x.retry ? 2 : 0));
    const flat = await runScript<number[]>(this.ctx.redis, 'assignSenders', [this.ctx.keys.senderState], args);
    const out: Assignment[] = [];
    for (let i = 0; i < flat.length; i += 3) {
      const k = Number(flat[i]);
      out.push({
        sender: k > 0 ? r.senders[k - 1]!.id : '',
        status: STATUS[Number(flat[i + 1])]!,
        until: +flat[i + 2]!,
      });
    }
    return out;
  }

  /** Pauses one sender with the reason (401/403, 368, 131031, 131042); true when it was active. */
  async pause(id: string, code: string, reason: string): Promise<boolean> {
    const value = JSON.stringify({ code: clipBytes(code, 64), reason: clipBytes(reason), since: Date.now() });
    return (await this.ctx.redis.hsetnx(this.ctx.keys.senderState, `p:${id}`, value)) === 1;
  }

  /** Resumes a paused sender (and lifts a slow-down); true when it was paused. */
  async resume(id: string): Promise<boolean> {
    return (await this.ctx.redis.hdel(this.ctx.keys.senderState, `p:${id}`, `slow:${id}`)) > 0;
  }

  /** Halves the sender's rate until `until` (131048). */
  async slow(id: string, until: number): Promise<void> {
    await this.ctx.redis.hset(this.ctx.keys.senderState, `slow:${id}`, String(until));
  }

  /** Every sender's state by id (senders never paused or slowed are absent). */
  async states(): Promise<Map<string, SenderState>> {
    const h = await this.ctx.redis.hgetall(this.ctx.keys.senderState);
    const out = new Map<string, SenderState>();
    const get = (id: string) => {
      let s = out.get(id);
      if (!s) out.set(id, (s = { paused: null, slowUntil: 0 }));
      return s;
    };
    for (const [k, v] of Object.entries(h)) {
      if (k.startsWith('p:')) get(k.slice(2)).paused = JSON.parse(v) as SenderPauseState;
      else if (k.startsWith('slow:')) get(k.slice(5)).slowUntil = Number(v);
    }
    return out;
  }

  /**
   * Pauses a campaign none of whose allowed senders is active (`NO_ACTIVE_SENDER`); a sender's resume resumes it
   * (campaignsWaitingForSender). True when this call paused it.
   */
  async pauseCampaign(campaignId: string, reason: string): Promise<boolean> {
    const { redis, keys } = this.ctx;
    const [moved] = await runScript<[number, string]>(
      redis,
      'setStatus',
      [keys.meta(campaignId)],
      ['paused', 'queued,running', Date.now(), '', ''],
    );
    if (moved !== 1) return false;
    await redis.hset(keys.meta(campaignId), META.pausedReason, clipBytes(reason));
    await redis.sadd(keys.senderBlocked, campaignId);
    return true;
  }

  /** Campaigns paused for want of an active sender (taken off the list: the caller resumes them). */
  async takeBlockedCampaigns(): Promise<string[]> {
    const { redis, keys } = this.ctx;
    const ids = await redis.smembers(keys.senderBlocked);
    if (ids.length > 0) await redis.srem(keys.senderBlocked, ...ids);
    return ids;
  }

  /** A worker's requests in flight per sender (reported every second or so). */
  async reportInFlight(worker: string, counts: Map<string, number>): Promise<void> {
    if (counts.size === 0) return;
    const now = Date.now();
    const fields: Record<string, string> = {};
    for (const [id, n] of counts) fields[`${id}:${worker}`] = `${n}:${now}`;
    await this.ctx.redis.hset(this.ctx.keys.senderInFlight, fields);
  }

  /** Requests in flight per sender, over every worker that reported lately. */
  async inFlight(): Promise<Map<string, number>> {
    const h = await this.ctx.redis.hgetall(this.ctx.keys.senderInFlight);
    const now = Date.now();
    const out = new Map<string, number>();
    const stale: string[] = [];
    for (const [k, v] of Object.entries(h)) {
      const [n = '0', at = '0'] = v.split(':');
      if (now - Number(at) > IN_FLIGHT_FRESH_MS) {
        if (now - Number(at) > 60 * IN_FLIGHT_FRESH_MS) stale.push(k);
        continue;
      }
      const id = k.slice(0, k.lastIndexOf(':'));
      out.set(id, (out.get(id) ?? 0) + Number(n));
    }
    if (stale.length > 0) await this.ctx.redis.hdel(this.ctx.keys.senderInFlight, ...stale);
    return out;
  }

  /** A portfolio's messaging budget now: numbers counted in the window, room left, when the oldest leaves. */
  async usage(portfolio: string, limit: number | null, windowMs: number, now = Date.now()): Promise<PortfolioUsage> {
    const key = this.ctx.keys.tier(portfolio);
    const [used, oldest] = await Promise.all([
      this.ctx.redis.zcount(key, `(${now - windowMs}`, '+inf'),
      this.ctx.redis.zrangebyscore(key, `(${now - windowMs}`, '+inf', 'WITHSCORES', 'LIMIT', 0, 1),
    ]);
    return {
      portfolio,
      messaging_limit: limit,
      used_24h: used,
      remaining_24h: limit === null ? null : Math.max(0, limit - used),
      next_release_at: oldest.length >= 2 ? new Date(Number(oldest[1]) + windowMs).toISOString() : null,
    };
  }

  /** Every registered sender with its state, in-flight count and its portfolio's budget (GET /v1/senders). */
  async overview(windowMs: number): Promise<SenderList> {
    const [{ senders, limits }, states, inFlight] = await Promise.all([
      this.registry(),
      this.states(),
      this.inFlight(),
    ]);
    const names = [...new Set([...Object.keys(limits), ...senders.map((s) => s.portfolio)])].sort();
    const portfolios = await Promise.all(names.map((p) => this.usage(p, limits[p] ?? null, windowMs)));
    const byName = new Map(portfolios.map((p) => [p.portfolio, p]));
    const now = Date.now();
    const iso = (ms: number) => new Date(ms).toISOString();
    return {
      senders: senders.map((s): SenderView => {
        const st = states.get(s.id);
        const p = byName.get(s.portfolio)!;
        return {
          id: s.id,
          rate: s.rate,
          portfolio: s.portfolio,
          state: st?.paused ? 'paused' : 'active',
          paused_reason: st?.paused?.reason ?? null,
          paused_code: st?.paused?.code ?? null,
          paused_at: st?.paused ? iso(st.paused.since) : null,
          slowed_until: st && st.slowUntil > now ? iso(st.slowUntil) : null,
          in_flight: inFlight.get(s.id) ?? 0,
          used_24h: p.used_24h,
          remaining_24h: p.remaining_24h,
          next_release_at: p.next_release_at,
        };
      }),
      portfolios,
    };
  }

  /** Whether a sender of this id is registered. */
  async known(id: string): Promise<boolean> {
    return (await this.ctx.redis.hexists(this.ctx.keys.senderRegistry, `s:${id}`)) === 1;
  }
}
