/**
 * When the SDK retries, in one place. Only idempotent calls are retried (GETs, control actions,
 * `sendMessages`, which always carries an Idempotency-Key, and an upload of a file or rows given an
 * `idempotencyKey`); an upload without a key is never retried, since a second POST /v1/campaigns would create a
 * second campaign.
 *
 * Retried: network errors (refused, reset, DNS…), 5xx answers, and 409 IDEMPOTENCY_IN_PROGRESS (the first call
 * with the key is still being read; its `Retry-After` is waited). Not retried: any other 4xx.
 * Delay before retry n (0-based): 200 ms × 2^n, of which a random half is dropped (jitter keeps
 * many clients from retrying in step), capped at 10 s; a `Retry-After` answer waits at least that long
 * (seconds or an HTTP date), capped at 30 s.
 */
export const RETRY_DEFAULTS = {
  retries: 3,
  baseDelayMs: 200,
  factor: 2,
  maxDelayMs: 10_000,
  maxRetryAfterMs: 30_000,
} as const;

export function isRetryableStatus(status: number): boolean {
  return status >= 500 && status <= 599;
}

/** The API's answer while an earlier call with the same idempotency key is still in progress. */
export function isInProgress(status: number, code: string): boolean {
  return status === 409 && code === 'IDEMPOTENCY_IN_PROGRESS';
}

/** Delay before retry `n` (0-based); `random` is in [0, 1). */
export function backoffMs(n: number, random: number = Math.random()): number {
  const full = Math.min(RETRY_DEFAULTS.maxDelayMs, RETRY_DEFAULTS.baseDelayMs * RETRY_DEFAULTS.factor ** n);
  return Math.round(full / 2 + (random * full) / 2);
}

/** A `Retry-After` header in ms (delta-seconds or HTTP date), capped; undefined when absent or unreadable. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | undefined {
  if (!header) return undefined;
  const value = header.trim();
  const ms = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value) - now;
  if (!Number.isFinite(ms)) return undefined;
  return Math.min(RETRY_DEFAULTS.maxRetryAfterMs, Math.max(0, ms));
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
