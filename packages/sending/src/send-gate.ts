import type { Logger } from 'pino';
import type { SendRate } from '@sobot/store';
import { StoppedError } from './stopped';

export interface Slot {
  /** This send is the single probe allowed while sending is paused system-wide. */
  probe: boolean;
}

interface Waiter {
  resolve: (slot: Slot) => void;
  reject: (e: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
  timer?: NodeJS.Timeout;
  /** Its slot's time while scheduled (Date.now() ms). */
  at?: number;
  /** Past this time (Date.now() ms) its slot is stale: it waits for another instead of sending late. */
  deadline?: number;
  /** A transactional taker: it may take a scheduled bulk taker's slot, and never gives its own. */
  priority?: boolean;
  /** Released or rejected: a slot reserved for it after that is simply not used. */
  settled?: boolean;
}

/** Most slots asked for in one reservation. */
const MAX_BATCH = 500;
/**
 * Reservations on their way at once. Takers that arrive while one round trip is out are served by a
 * second instead of waiting for the first to come back.
 */
const MAX_IN_FLIGHT = 2;
/**
 * Slots kept in stock cover this much of the recent demand, so that at full speed a taker finds a slot
 * at hand instead of waiting a round trip. Unused stock is capacity lost to the other workers, so it
 * stays small: STOCK_COVER_MS of this process's sending and of the global rate (none at low rates), never
 * more than STOCK_MAX, and only while takers keep coming.
 */
const STOCK_COVER_MS = 12;
const STOCK_MAX = 128;
/**
 * A stocked slot this far in the past is dropped, not used. Used at the next burst of answers rather than
 * within a couple of ms, the stock is what lets full-speed sending skip the round trip (docs/decisions.md,
 * "send slots").
 */
const STALE_MS = 20;
/**
 * No send goes out later than this after the earliest its slot can be: the reservation's slot times are counted
 * from when its answer arrived, so the earliest is when the request left. A taker whose slot is stale (a busy
 * event loop fired its timer late, or handled the answer late) waits at the head of the line for another slot.
 * A one-second window then holds the slots of 1.02 s at most: 2% over the rate, + 1 at the window's edge. The
 * SPEC allows 10% at the upstream, whose clock also counts what happens after the gate (the request's way out,
 * a stall of this process or of the upstream between the slot and the request's arrival): that needs most of
 * the 10% (docs/decisions.md, "A late slot is not used, tighter"). Without it a 150 ms stall released the stalled
 * takers together with the next ones (CI: 45 in a second at SEND_RATE 40); with 60 ms, chaos runs on a loaded
 * machine measured 65–67 in a second at 60/s.
 */
const LATE_MS = 20;
/**
 * When this process has already booked the rate's slots as far ahead as allowed (the 250 ms horizon),
 * it asks again after at least this long, so that the next reservation takes a batch of slots instead
 * of one per round trip. Well under the horizon, so the booked schedule never runs dry meanwhile.
 */
const HORIZON_FULL_WAIT_MS = 50;

/**
 * Hands out send slots of the global rate to this process's senders. Waiting takers are served by one
 * reservation round trip per batch and released at their slot's time, so the process sends at most
 * the global rate however many chunks it runs. When demand is steady a small stock of slots is
 * reserved ahead (see STOCK_COVER_MS), so at high rates taking a slot costs no round trip at all.
 */
export class SendGate {
  private queue: Waiter[] = [];
  private readonly scheduled = new Set<Waiter>();
  /** Reserved slots nobody has taken yet, earliest first. */
  private stock: SlotTime[] = [];
  private inFlight = 0;
  /** No reservation before this time (system pause, horizon full, Redis unreachable). */
  private holdUntil = 0;
  private holdTimer: NodeJS.Timeout | undefined;
  private lastPauseLog = 0;
  /**
   * The last reservation's slots reached further ahead than the stock covers: the rate, not the
   * round trip, is what takers wait for, and a stock would only book slots earlier than needed.
   */
  private rateBound = false;
  /** Takes per ms, smoothed: sizes the stock. */
  private demand = 0;
  private lastTake = Date.now();

  constructor(
    private readonly rate: SendRate,
    private readonly log: Logger,
  ) {}

  /** Takers waiting for a reservation (queued) and those holding a slot whose time has not come (scheduled). */
  get backlog(): { queued: number; scheduled: number } {
    return { queued: this.queue.length, scheduled: this.scheduled.size };
  }

  /**
   * A slot for one request. `priority` (transactional) takers go ahead of every bulk taker: they take the next
   * stocked slot, else the earliest slot already booked for a bulk taker of this process (which goes back to the
   * head of the line for a new one), else the head of the line. Without this a transactional message would wait
   * behind every slot the bulk takers booked ahead (up to the rate's 250 ms horizon, in each worker).
   */
  take(signal: AbortSignal, priority = false): Promise<Slot> {
    if (signal.aborted) return Promise.reject(new StoppedError(signal.reason));
    this.noteDemand();
    // At full speed a stocked slot is usually due already: no waiter, no abort listener.
    const due = this.queue.length === 0 || priority ? this.fromStock() : undefined;
    if (due !== undefined && due.at - Date.now() < 1) {
      this.pump();
      return Promise.resolve(NOT_A_PROBE);
    }
    return new Promise<Slot>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        signal,
        priority,
        onAbort: () => {
          w.settled = true;
          clearTimeout(w.timer);
          this.scheduled.delete(w);
          this.queue = this.queue.filter((x) => x !== w);
          reject(new StoppedError(signal.reason));
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      if (due !== undefined) this.schedule(w, due, NOT_A_PROBE);
      else if (priority) {
        if (!this.takeBooked(w)) this.queue.unshift(w);
      } else this.queue.push(w);
      this.pump();
    });
  }

  /** Gives back every slot reserved but not yet reached (after a 429 moved everyone's next slot later). */
  reschedule(): void {
    const back = [...this.scheduled];
    for (const w of back) {
      clearTimeout(w.timer);
      w.at = undefined;
    }
    this.scheduled.clear();
    this.stock = [];
    this.queue = [...back.filter((w) => !w.settled), ...this.queue];
    this.pump();
  }

  private noteDemand(): void {
    const now = Date.now();
    const gap = Math.max(now - this.lastTake, 0.05);
    this.lastTake = now;
    // Exponential average of the take rate (per ms), about the last 50 takes.
    this.demand += (1 / gap - this.demand) * 0.02;
  }

  private wantedStock(): number {
    if (this.rateBound || Date.now() - this.lastTake > STOCK_COVER_MS) return 0;
    return Math.min(STOCK_MAX, Math.floor(Math.min(this.demand, this.rate.perSecond / 1000) * STOCK_COVER_MS));
  }

  /** The earliest stocked slot that is not stale, or undefined. */
  private fromStock(): SlotTime | undefined {
    const now = Date.now();
    while (this.stock.length > 0) {
      const t = this.stock.shift()!;
      if (t.at >= now - STALE_MS && t.deadline >= now) return t;
    }
    return undefined;
  }

  private schedule(w: Waiter, t: SlotTime, slot: Slot): void {
    const delay = t.at - Date.now();
    if (delay < 1) {
      this.due(w, t, slot);
    } else {
      w.at = slot.probe ? undefined : t.at;
      w.deadline = t.deadline;
      this.scheduled.add(w);
      w.timer = setTimeout(() => this.due(w, t, slot), delay);
    }
  }

  /** `w`'s slot has come: it sends, unless the slot is stale (see LATE_MS); then it waits at the head of the line. */
  private due(w: Waiter, t: SlotTime, slot: Slot): void {
    if (slot.probe || w.settled || Date.now() <= t.deadline) {
      this.release(w, slot);
      return;
    }
    this.scheduled.delete(w);
    w.at = undefined;
    this.queue.unshift(w);
    this.pump();
  }

  /**
   * Gives `w` the earliest slot booked for a bulk taker (never a probe's), and puts that taker back at the head of
   * the bulk line. False when there is none.
   */
  private takeBooked(w: Waiter): boolean {
    let from: Waiter | undefined;
    for (const s of this.scheduled) {
      if (!s.priority && !s.settled && s.at !== undefined && (!from || s.at < from.at!)) from = s;
    }
    if (!from) return false;
    const t = { at: from.at!, deadline: from.deadline! };
    clearTimeout(from.timer);
    this.scheduled.delete(from);
    from.at = undefined;
    const firstBulk = this.queue.findIndex((q) => !q.priority);
    this.queue.splice(firstBulk < 0 ? this.queue.length : firstBulk, 0, from);
    this.schedule(w, t, NOT_A_PROBE);
    return true;
  }

  private release(w: Waiter, slot: Slot): void {
    this.scheduled.delete(w);
    w.at = undefined;
    if (w.settled) return;
    w.settled = true;
    w.signal.removeEventListener('abort', w.onAbort);
    w.resolve(slot);
  }

  private pump(): void {
    while (this.inFlight < MAX_IN_FLIGHT && Date.now() >= this.holdUntil) {
      const wanted = this.wantedStock();
      const refill = this.stock.length < wanted / 2 ? wanted - this.stock.length : 0;
      if (this.queue.length === 0 && refill === 0) return;
      const batch = this.queue.splice(0, MAX_BATCH);
      this.inFlight += 1;
      void this.reserveFor(batch, refill).finally(() => {
        this.inFlight -= 1;
        this.pump();
      });
    }
  }

  /** Waits `ms` before the next reservation (one already on its way may still land). */
  private hold(ms: number): void {
    this.holdUntil = Math.max(this.holdUntil, Date.now() + ms);
    clearTimeout(this.holdTimer);
    this.holdTimer = setTimeout(() => {
      // Timers may fire a little before Date.now() reaches holdUntil: the hold ends when the timer fires.
      this.holdUntil = 0;
      this.pump();
    }, this.holdUntil - Date.now());
  }

  private async reserveFor(batch: Waiter[], extra: number): Promise<void> {
    let r;
    const asked = Date.now();
    try {
      r = await this.rate.reserve(batch.length + extra);
    } catch (err) {
      this.log.warn({ err }, 'could not reserve send slots; retrying');
      this.putBack(batch);
      this.hold(250);
      return;
    }
    if (r.granted === 0) {
      if (r.pausedReason && Date.now() - this.lastPauseLog > 30_000) {
        this.lastPauseLog = Date.now();
        this.log.warn(
          { reason: r.pausedReason },
          'sending is paused system-wide; waiting for a probe to succeed or an operator to resume',
        );
      }
      this.putBack(batch);
      this.hold(r.pausedReason ? Math.min(Math.max(r.delayMs, 2), 1000) : Math.max(r.delayMs, HORIZON_FULL_WAIT_MS));
      return;
    }
    const first = Date.now() + r.delayMs;
    // The slots' times counted from when the request left: the earliest each can really be.
    const earliest = asked + r.delayMs;
    const time = (i: number): SlotTime => ({
      at: first + i * r.intervalMs,
      deadline: earliest + i * r.intervalMs + LATE_MS,
    });
    /** How far ahead the last granted slot lies. */
    const lastAheadMs = r.delayMs + (r.granted - 1) * r.intervalMs;
    this.rateBound = lastAheadMs > STOCK_COVER_MS;
    const slot = r.probe ? PROBE : NOT_A_PROBE;
    const served = Math.min(r.granted, batch.length);
    for (let i = 0; i < served; i += 1) this.schedule(batch[i]!, time(i), slot);
    this.putBack(batch.slice(served));
    // A probe is never stocked: it is the one message that finds out whether the upstream is back.
    if (!r.probe) {
      for (let i = served; i < r.granted; i += 1) this.stock.push(time(i));
      // Two reservations can land out of order.
      if (served < r.granted) this.stock.sort((a, b) => a.at - b.at);
    }
    // Waiters put back or newly queued take from the stock first.
    this.drainQueueFromStock();
    // Fewer slots than asked for (the horizon is full: slots trickle into it one interval at a time), or
    // slots booked well ahead already: asking again for each newcomer would cost a round trip per
    // message. Wait and take a batch; what is booked covers the wait, so the schedule never runs dry.
    if (!r.probe && (r.granted < batch.length + extra || lastAheadMs > HORIZON_FULL_WAIT_MS))
      this.hold(Math.min(HORIZON_FULL_WAIT_MS, Math.max(lastAheadMs, 2)));
  }

  private drainQueueFromStock(): void {
    this.queue = this.queue.filter((w) => !w.settled);
    while (this.queue.length > 0) {
      const t = this.fromStock();
      if (t === undefined) break;
      this.schedule(this.queue.shift()!, t, NOT_A_PROBE);
    }
  }

  /** Waiters not served by a reservation go back to the head of the line. */
  private putBack(waiters: Waiter[]): void {
    const live = waiters.filter((w) => !w.settled);
    if (live.length > 0) this.queue = [...live, ...this.queue];
  }
}

/** A reserved slot's time and the time past which it is stale (Date.now() ms). */
interface SlotTime {
  at: number;
  deadline: number;
}

const PROBE: Slot = Object.freeze({ probe: true });
const NOT_A_PROBE: Slot = Object.freeze({ probe: false });
