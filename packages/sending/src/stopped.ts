/** Why a chunk stopped sending before its end. */
export type StopReason = 'paused' | 'cancelled' | 'shutdown';

/** A wait was abandoned because the chunk (or the whole worker) stopped sending. */
export class StoppedError extends Error {
  readonly code = 'STOPPED';
  constructor(readonly reason: unknown) {
    super(`stopped: ${String(reason)}`);
    this.name = 'StoppedError';
  }
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new StoppedError(signal.reason));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new StoppedError(signal?.reason));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
