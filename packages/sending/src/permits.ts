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
 * whatever their number of chunks.
 */
export class Permits {
  private free: number;
  private readonly priority: Waiter[] = [];
  private readonly groups = new Map<string, Group>();
  private waiting = 0;
  /** The virtual time of the campaign served last: a campaign that starts waiting starts from here. */
  private clock = 0;

  constructor(readonly size: number) {
    this.free = size;
  }

  get inUse(): number {
    return this.size - this.free;
  }

  acquire(signal: AbortSignal, taker: Taker = ANYONE): Promise<void> {
    if (signal.aborted) return Promise.reject(new StoppedError(signal.reason));
    if (this.free > 0 && this.waiting === 0) {
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
    });
  }

  release(): void {
    const next = this.priority.shift() ?? this.nextFair();
    if (next) {
      this.waiting -= 1;
      next.signal.removeEventListener('abort', next.onAbort);
      next.resolve();
    } else {
      this.free += 1;
    }
  }

  private group(taker: Taker): Group {
    let g = this.groups.get(taker.group);
    if (!g) {
      g = { waiters: [], weight: Math.max(1, taker.weight), virtual: this.clock };
      this.groups.set(taker.group, g);
    }
    return g;
  }

  /** Counts a permit handed out without waiting against its campaign. */
  private charge(taker: Taker): void {
    if (taker.priority) return;
    const g = this.group(taker);
    g.virtual = Math.max(g.virtual, this.clock) + 1 / g.weight;
  }

  /** The head waiter of the campaign with the least virtual time; idle campaigns are forgotten. */
  private nextFair(): Waiter | undefined {
    let best: Group | undefined;
    for (const [key, g] of this.groups) {
      if (g.waiters.length === 0) {
        if (g.virtual <= this.clock) this.groups.delete(key);
        continue;
      }
      if (!best || g.virtual < best.virtual) best = g;
    }
    if (!best) return undefined;
    best.virtual = Math.max(best.virtual, this.clock);
    this.clock = best.virtual;
    best.virtual += 1 / best.weight;
    return best.waiters.shift();
  }
}
