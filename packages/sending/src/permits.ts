import { StoppedError } from './stopped';

/** Requests in flight in this process: a counting semaphore whose waiters can be aborted. */
export class Permits {
  private free: number;
  private readonly waiters: Array<{
    resolve: () => void;
    reject: (e: unknown) => void;
    signal: AbortSignal;
    onAbort: () => void;
  }> = [];

  constructor(readonly size: number) {
    this.free = size;
  }

  get inUse(): number {
    return this.size - this.free;
  }

  acquire(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new StoppedError(signal.reason));
    if (this.free > 0 && this.waiters.length === 0) {
      this.free -= 1;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const w = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const i = this.waiters.indexOf(w);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(new StoppedError(signal.reason));
        },
      };
      signal.addEventListener('abort', w.onAbort, { once: true });
      this.waiters.push(w);
    });
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) {
      next.signal.removeEventListener('abort', next.onAbort);
      next.resolve();
    } else {
      this.free += 1;
    }
  }
}
