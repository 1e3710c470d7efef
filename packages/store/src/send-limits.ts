import { LIMITED_BY, type LimitedBy } from '@sobot/schema';
import type { StoreContext } from './context';

export { LIMITED_BY };

/** A limit noted within this long (ms) still holds the sending down: the campaign view names it in `limited_by`. */
export const LIMIT_FRESH_MS = 5_000;
/** One process writes a reason at most once per this long (ms): noting per message costs no Redis command. */
const NOTE_EVERY_MS = 1_000;
/** A worker's in-flight report older than this (ms) is a worker gone: dropped when read. */
const WORKER_STALE_MS = 60_000;

/** One worker's requests in flight, as it last reported them (for the /metrics gauges). */
export interface WorkerInFlight {
  /** `<host>:<pid>`. */
  worker: string;
  /** Its in-flight limit now (sized by Little's law, SPEC §15). */
  limit: number;
  /** Permits in use: requests in flight or waiting for their send slot. */
  inUse: number;
  /** WORKER_MAX_IN_FLIGHT. */
  max: number;
  /** When it reported (ms). */
  at: number;
}

export interface SendLimitState {
  /** The reason noted last within LIMIT_FRESH_MS of `now`; null when none is. */
  limitedBy: LimitedBy | null;
  /** Every reason noted within LIMIT_FRESH_MS, with when (ms). */
  recent: Partial<Record<LimitedBy, number>>;
  workers: WorkerInFlight[];
}

const REASONS = new Set<string>(LIMITED_BY);

/**
 * What holds the sending below the rate, system-wide (SPEC §15): workers note the limit that held them; the
 * campaign view shows the one noted last (if within a few seconds) as `limited_by`. One small hash
 * (`keys.sendLimits`), never on a campaign's hash tag: no script reads it together with other keys.
 */
export class SendLimits {
  /** When this process last wrote each reason. */
  private readonly written = new Map<LimitedBy, number>();

  constructor(private readonly ctx: StoreContext) {}

  /**
   * Notes that `reason` held this process's sending below the rate at `now` (ms): the campaign view's
   * `limited_by` names the reason noted last, for LIMIT_FRESH_MS. Call it each time the limit holds a send back
   * (a sender over its rate, the messaging limit reached, the pair interval, quiet hours, a 429, the in-flight
   * limit full): it writes at most once a second per reason per process, so calling it per message is free.
   * Rejects on Redis trouble: a caller on the send path should `.catch(() => undefined)`.
   */
  async noteLimit(reason: LimitedBy, now = Date.now()): Promise<void> {
    const last = this.written.get(reason);
    if (last !== undefined && now >= last && now - last < NOTE_EVERY_MS) return;
    this.written.set(reason, now);
    await this.ctx.redis.hset(this.ctx.keys.sendLimits, reason, String(now));
  }

  /** Writes this worker's in-flight figures (the /metrics gauges read them). */
  async reportWorker(w: WorkerInFlight): Promise<void> {
    await this.ctx.redis.hset(this.ctx.keys.sendLimits, `w:${w.worker}`, `${w.limit}:${w.inUse}:${w.max}:${w.at}`);
  }

  /** A worker that stops removes its figures. */
  async forgetWorker(worker: string): Promise<void> {
    await this.ctx.redis.hdel(this.ctx.keys.sendLimits, `w:${worker}`);
  }

  /** The reasons noted lately and the workers' in-flight figures; drops the figures of workers long gone. */
  async read(now = Date.now()): Promise<SendLimitState> {
    const hash = await this.ctx.redis.hgetall(this.ctx.keys.sendLimits);
    const state = limitState(hash, now);
    const stale = Object.keys(hash).filter(
      (f) => f.startsWith('w:') && !state.workers.some((w) => `w:${w.worker}` === f),
    );
    if (stale.length > 0) await this.ctx.redis.hdel(this.ctx.keys.sendLimits, ...stale);
    return state;
  }
}

/** The state a `keys.sendLimits` hash says at `now`. */
export function limitState(hash: Record<string, string>, now: number): SendLimitState {
  let limitedBy: LimitedBy | null = null;
  let latest = -Infinity;
  const recent: SendLimitState['recent'] = {};
  const workers: WorkerInFlight[] = [];
  for (const [field, value] of Object.entries(hash)) {
    if (field.startsWith('w:')) {
      const [limit, inUse, max, at] = value.split(':').map(Number);
      if (at !== undefined && Number.isFinite(at) && now - at <= WORKER_STALE_MS)
        workers.push({ worker: field.slice(2), limit: limit ?? 0, inUse: inUse ?? 0, max: max ?? 0, at });
      continue;
    }
    const at = Number(value);
    if (!REASONS.has(field) || !Number.isFinite(at) || now - at > LIMIT_FRESH_MS) continue;
    const reason = field as LimitedBy;
    recent[reason] = at;
    if (at > latest) {
      latest = at;
      limitedBy = reason;
    }
  }
  workers.sort((a, b) => a.worker.localeCompare(b.worker));
  return { limitedBy, recent, workers };
}
