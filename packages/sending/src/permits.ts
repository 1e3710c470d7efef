import { SEND_POLICY } from '@sobot/schema';
import { StoppedError } from './stopped';

interface Waiter {
  resolve: () => void;
  reject: (e: unknown) => void;
  signal: AbortSignal;
  onAbort: () => void;
}

/** The waiters of one campaign, and how much of the permits it has had (served / weight). */
interface Group {
  waiters: Waiter[];
  weight: number;
  virtual: number;
  /** Virtual time served here since the last report (see usage()). */
  unreported: number;
  /** When it last had a waiter (ms): an idle campaign is forgotten after SEND_POLICY.fairShare.idleMs. */
  activeAt: number;
}

/** What this process's permits gave one campaign since the last report, in virtual time. */
export interface GroupUsage {
  group: string;
  served: number;
  /** Sends of the campaign wait for a permit here now. */
  waiting: boolean;
}

/** Who asks for a permit: transactional takers go first; bulk campaigns share by weight. */
export interface Taker {
  /** The campaign (bulk takers of one campaign share its weight). */
  group: string;
  weight: number;
  priority: boolean;
}

const ANYONE: Taker = { group: '', weight: 1, priority: false };

/**
 * Requests in flight in this process: a counting semaphore whose waiters can be aborted. A freed permit goes to
 * a priority (transactional) waiter first, else to the campaign that has had the least for its weight (weighted
 * fair queueing by virtual time), so campaigns running side by side share the process's sending by weight
 * whatever their number of chunks. With several worker processes, each reports what it served (usage()) and
 * adopts every worker's totals (adopt()) a few times a second, so that a campaign whose chunks sit mostly in
 * another process still gets its share here.
 */
export class Permits {
  private free: number;
  private limit: number;
  private readonly priority: Waiter[] = [];
  private readonly groups = new Map<string, Group>();
  private waiting = 0;
  /** The virtual time of the campaign served last: a campaign that starts waiting starts from here. */
  private clock = 0;
  /** Every worker's least virtual time of a campaign with sends waiting (adopt()), and when it last moved. */
  private floor: number | undefined;
  private floorMovedAt = 0;

  /**
   * @param maxLead how far (virtual time: sends ÷ weight) a campaign may run ahead of every worker's floor before
   *   this process holds it back (Infinity: never).
   */
  constructor(
    size: number,
    private readonly maxLead = Number.POSITIVE_INFINITY,
  ) {
    this.limit = size;
    this.free = size;
  }

  /** Permits in all (the in-flight limit, see in-flight.ts). */
  get size(): number {
    return this.limit;
  }

  get inUse(): number {
    return this.limit - this.free;
  }

  /** Takers waiting for a permit. */
  get waiters(): number {
    return this.waiting;
  }

  /**
   * Sets how many permits there are. Growing hands the new ones out at once; shrinking takes none back: permits in
   * use above the new size are simply not handed out again when released.
   */
  resize(size: number): void {
    this.free += size - this.limit;
    this.limit = size;
    this.dispatch();
  }

  acquire(signal: AbortSignal, taker: Taker = ANYONE): Promise<void> {
    if (signal.aborted) return Promise.reject(new StoppedError(signal.reason));
    if (this.free > 0 && this.waiting === 0 && (taker.priority || !this.held(this.group(taker), Date.now()))) {
      this.free -= 1;
      this.charge(taker);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const list = taker.priority ? this.priority : this.group(taker).waiters;
      const w: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = list.indexOf(w);
          if (i >= 0) {
            list.splice(i, 1);
            this.waiting -= 1;
          }
          reject(new StoppedError(signal.reason));
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      list.push(w);
      this.waiting += 1;
      if (!taker.priority) this.group(taker).activeAt = Date.now();
      // Permits left free while every waiting campaign was held back: this one may take one.
      if (this.free > 0) this.dispatch();
    });
  }

  release(): void {
    this.free += 1;
    this.dispatch();
  }

  /** Hands free permits to waiters: priority first, then the campaign that has had the least. */
  private dispatch(): void {
    while (this.free > 0) {
      const next = this.priority.shift() ?? this.nextFair();
      if (!next) return;
      this.free -= 1;
      this.waiting -= 1;
      next.signal.removeEventListener('abort', next.onAbort);
      next.resolve();
    }
  }

  /**
   * A campaign too far ahead of every worker's floor (its chunks may all sit in this process, which would
   * otherwise send only it) waits, unless the floor has stopped moving (its campaign stalled).
   */
  private held(g: Group, now: number): boolean {
    return (
      this.floor !== undefined &&
      now - this.floorMovedAt < SEND_POLICY.fairShare.floorStuckMs &&
      // Measured as of the last report (what was served here since is not in the floor yet).
      g.virtual - g.unreported - this.floor > this.maxLead
    );
  }

  private group(taker: Taker): Group {
    let g = this.groups.get(taker.group);
    if (!g) {
      g = { waiters: [], weight: Math.max(1, taker.weight), virtual: this.clock, unreported: 0, activeAt: Date.now() };
      this.groups.set(taker.group, g);
    }
    return g;
  }

  /** Counts a permit handed out without waiting against its campaign. */
  private charge(taker: Taker): void {
    if (taker.priority) return;
    const g = this.group(taker);
    g.virtual = Math.max(g.virtual, this.clock) + 1 / g.weight;
    g.unreported += 1 / g.weight;
  }

  /**
   * The campaigns this process knows (waiting now or lately), and what each was served here since the last
   * call: for the fair-share report shared by every worker. The anonymous group is left out.
   */
  usage(): GroupUsage[] {
    const out: GroupUsage[] = [];
    const now = Date.now();
    for (const [group, g] of this.groups) {
      if (group === '') continue;
      if (this.idle(g, now)) {
        this.groups.delete(group);
        continue;
      }
      out.push({ group, served: g.unreported, waiting: g.waiters.length > 0 });
      g.unreported = 0;
    }
    // A held campaign may be free to go now that the floor is older.
    this.dispatch();
    return out;
  }

  /** Every worker's virtual times (from the report of `usage()`): what was served here since still counts. */
  adopt(totals: Map<string, number>, floor?: number): void {
    if (floor !== this.floor) this.floorMovedAt = Date.now();
    this.floor = floor;
    let least: number | undefined;
    for (const [group, virtual] of totals) {
      const g = this.groups.get(group);
      if (!g) continue;
      g.virtual = virtual + g.unreported;
      if (g.waiters.length > 0 && (least === undefined || g.virtual < least)) least = g.virtual;
    }
    // The clock follows: a campaign that starts waiting here starts from the others' time, not from the past.
    if (least !== undefined) this.clock = least;
    this.dispatch();
  }

  /** No waiter for idleMs and nothing left to report: the campaign can be forgotten here. */
  private idle(g: Group, now: number): boolean {
    return g.waiters.length === 0 && g.unreported === 0 && now - g.activeAt > SEND_POLICY.fairShare.idleMs;
  }

  /** A report that failed: its service is reported with the next one. */
  unreport(usage: GroupUsage[]): void {
    for (const u of usage) {
      const g = this.groups.get(u.group);
      if (g) g.unreported += u.served;
    }
  }

  /**
   * The head waiter of the campaign with the least virtual time. A campaign idle here for a while is forgotten
   * (once its service is reported): back, it starts from the clock again.
   */
  private nextFair(): Waiter | undefined {
    let best: Group | undefined;
    const now = Date.now();
    for (const [key, g] of this.groups) {
      if (g.waiters.length === 0) {
        if (this.idle(g, now)) this.groups.delete(key);
        continue;
      }
      if ((!best || g.virtual < best.virtual) && !this.held(g, now)) best = g;
    }
    if (!best) return undefined;
    best.virtual = Math.max(best.virtual, this.clock);
    this.clock = best.virtual;
    best.virtual += 1 / best.weight;
    best.unreported += 1 / best.weight;
    return best.waiters.shift();
  }
}
