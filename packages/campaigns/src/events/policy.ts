import { EVENT_TIMEOUT_MS, type AttemptResult } from './delivery-attempt';

/**
 * The delivery engine's numbers in one place (SPEC §16). Tests shrink the schedule and the waits instead of waiting.
 */
export interface EventPolicy {
  /** Waits before the retries that follow attempts 1, 2, …: after the last, the delivery is `failed`. */
  scheduleMs: readonly number[];
  /** Each wait is multiplied by a random factor in [1 − jitter, 1 + jitter]. */
  jitter: number;
  /** The longest `Retry-After` honoured (a longer one is cut to it). */
  maxRetryAfterMs: number;
  /** A receiver's deadline. */
  timeoutMs: number;
  /** Deliveries in flight per endpoint and process: a slow endpoint only waits on itself. */
  concurrency: number;
  /** How long a claimed delivery is held before another process may take it (the dispatcher died). */
  leaseMs: number;
  /** How often idle queues and outboxes are looked at (work found wakes them at once). */
  pollMs: number;
  /** How often the endpoint list (added, removed, disabled) is read again. */
  endpointsEveryMs: number;
  random: () => number;
}

/** SPEC §16: retries after 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h, with jitter. */
export const RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;

export const EVENT_POLICY: EventPolicy = {
  scheduleMs: RETRY_SCHEDULE_MS,
  jitter: 0.2,
  maxRetryAfterMs: 36_000_000,
  timeoutMs: EVENT_TIMEOUT_MS,
  concurrency: 8,
  leaseMs: EVENT_TIMEOUT_MS + 15_000,
  pollMs: 100,
  endpointsEveryMs: 1_000,
  random: Math.random,
};

/** What to do after a failed attempt (not 2xx, not 410): retry after `delayMs`, or give up. */
export type AfterFailure = { retry: true; delayMs: number } | { retry: false };

/**
 * After `attemptsMade` attempts (this failure included): the next wait from the schedule with jitter, or a
 * `Retry-After` of a 429 / 503 when it is longer (capped at maxRetryAfterMs); none left past the schedule.
 */
export function afterFailure(attemptsMade: number, result: AttemptResult, p: EventPolicy = EVENT_POLICY): AfterFailure {
  const base = p.scheduleMs[attemptsMade - 1];
  if (base === undefined) return { retry: false };
  let delayMs = base * (1 + p.jitter * (2 * p.random() - 1));
  if (result.retryAfterMs !== undefined && (result.status === 429 || result.status === 503)) {
    delayMs = Math.max(delayMs, Math.min(result.retryAfterMs, p.maxRetryAfterMs));
  }
  return { retry: true, delayMs: Math.round(delayMs) };
}
