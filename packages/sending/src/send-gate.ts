import type { Logger } from 'pino';
import type { SendRate } from '@sobot/store';
import { StoppedError, sleep } from './stopped';

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
}

/** Most slots asked for in one reservation. */
const MAX_BATCH = 500;

/**
 * Hands out send slots of the global rate to this process's senders. Everyone waiting is served by one
 * reservation round trip per batch, and each sender is released at its slot's time, so the process
 * sends at most the global rate however many chunks it runs.
 */
export class SendGate {
  private queue: Waiter[] = [];
  private readonly scheduled = new Set<Waiter>();
  private pumping = false;
  private lastPauseLog = 0;

  constructor(
    private readonly rate: SendRate,
    private readonly log: Logger,
  ) {}

  take(signal: AbortSignal): Promise<Slot> {
    if (signal.aborted) return Promise.reject(new StoppedError(signal.reason));
    return new Promise<Slot>((resolve, reject) => {
      const w: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          this.queue = this.queue.filter((x) => x !== w);
          reject(new StoppedError(signal.reason));
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      this.queue.push(w);
      void this.pump();
    });
  }

  /** Gives back every slot reserved but not yet reached (after a 429 moved everyone's next slot later). */
  reschedule(): void {
    const back = [...this.scheduled];
    for (const w of back) clearTimeout(w.timer);
    this.scheduled.clear();
    this.queue = [...back.filter((w) => !w.signal.aborted), ...this.queue];
    void this.pump();
  }

  private release(w: Waiter, slot: Slot): void {
    this.scheduled.delete(w);
    w.signal.removeEventListener('abort', w.onAbort);
    w.resolve(slot);
  }

  private async pump(): Promise<void> {
    if (this.pumping) return;
    this.pumping = true;
    try {
      while (this.queue.length > 0) {
        let r;
        try {
          r = await this.rate.reserve(Math.min(this.queue.length, MAX_BATCH));
        } catch (err) {
          this.log.warn({ err }, 'could not reserve send slots; retrying');
          await sleep(250);
          continue;
        }
        if (r.granted === 0) {
          if (r.pausedReason && Date.now() - this.lastPauseLog > 30_000) {
            this.lastPauseLog = Date.now();
            this.log.warn({ reason: r.pausedReason }, 'sending is paused system-wide; waiting for a probe to succeed or an operator to resume');
          }
          await sleep(Math.min(Math.max(r.delayMs, 2), 1000));
          continue;
        }
        const batch = this.queue.splice(0, r.granted);
        batch.forEach((w, i) => {
          const at = r.delayMs + i * r.intervalMs;
          const slot = { probe: r.probe };
          if (at < 1) {
            this.release(w, slot);
          } else {
            this.scheduled.add(w);
            w.timer = setTimeout(() => this.release(w, slot), at);
          }
        });
      }
    } finally {
      this.pumping = false;
    }
  }
}
