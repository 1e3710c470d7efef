import { clipBytes } from '@sobot/schema';
import type { StoreContext } from './context';
import { runScript } from './scripts';

export interface Reservation {
  /** Slots granted (0: none now). */
  granted: number;
  /** ms from now until the first granted slot, or until it is worth asking again. */
  delayMs: number;
  /** ms between granted slots. */
  intervalMs: number;
  /** The single granted slot is a probe while the system pause is on. */
  probe: boolean;
  /** Why sending is paused system-wide, '' when it is not. */
  pausedReason: string;
}

export interface SystemPauseState {
  code: string;
  reason: string;
  since: number;
}

/** How far ahead a worker may reserve send slots. */
const HORIZON_MS = 250;

/** The one global send rate and the system-wide pause, shared by every worker through Redis. */
export class SendRate {
  private intervalUs: number;
  /**
   * Where the slots this process was granted end (µs, Redis's clock). Sent with each reservation: a schedule that
   * Redis lost (it came back without its last writes) resumes after them, not over them (docs/decisions.md).
   */
  private floorUs = 0;

  constructor(
    private readonly ctx: StoreContext,
    public perSecond: number,
    /** The rate's hash: the global one, or one sender's (SPEC §15). */
    private readonly key: string = ctx.keys.sendRate,
  ) {
    this.intervalUs = 1_000_000 / perSecond;
  }

  /** A new rate from now on (a sender slowed by half after 131048, and back). */
  setRate(perSecond: number): void {
    this.perSecond = perSecond;
    this.intervalUs = 1_000_000 / perSecond;
  }

  async reserve(wanted: number): Promise<Reservation> {
    const [granted = 0, delayUs = 0, probe = 0, reason = '', endsUs = 0] = await runScript<
      [number, number, number, string, number]
    >(
      this.ctx.redis,
      'reserveSends',
      [this.key],
      [this.intervalUs.toFixed(3), wanted, HORIZON_MS * 1000, this.floorUs],
    );
    if (endsUs > this.floorUs) this.floorUs = endsUs;
    return {
      granted,
      delayMs: Math.max(0, delayUs / 1000),
      intervalMs: this.intervalUs / 1000,
      probe: probe === 1,
      pausedReason: reason,
    };
  }

  /** Holds everyone's sending for `ms` (a 429). Returns ms until sending resumes. */
  async delay(ms: number): Promise<number> {
    const us = await runScript<number>(this.ctx.redis, 'delaySends', [this.key], [Math.round(ms * 1000)]);
    return us / 1000;
  }
}

/** The system-wide pause (wrong key, outage, blocked account): every worker stops but for one probe. */
export class SystemPause {
  constructor(private readonly ctx: StoreContext) {}

  /** Pauses every worker's sending with a reason; one probe message goes out every `probeEveryMs`. */
  async pause(code: string, reason: string, probeEveryMs: number): Promise<void> {
    const now = Date.now();
    await this.ctx.redis.hset(this.ctx.keys.sendRate, {
      // The reason may quote an upstream answer: stored clipped (SPEC §22).
      reason: clipBytes(reason),
      code: clipBytes(code, 64),
      since: now,
      every: probeEveryMs * 1000,
      probe: (now + probeEveryMs) * 1000,
    });
  }

  /** Lifts the pause; true when there was one. */
  async resume(): Promise<boolean> {
    return (await this.ctx.redis.hdel(this.ctx.keys.sendRate, 'reason', 'code', 'since', 'every', 'probe')) > 0;
  }

  async current(): Promise<SystemPauseState | null> {
    const [reason, code, since] = await this.ctx.redis.hmget(this.ctx.keys.sendRate, 'reason', 'code', 'since');
    return reason ? { reason, code: code ?? '', since: Number(since ?? 0) } : null;
  }
}
