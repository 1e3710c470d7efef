import {
  DeferredError,
  RateLimitedError,
  RejectedError,
  SendingBlockedError,
  UnavailableError,
  type SobotError,
} from './errors';

/**
 * The error-code policy, in one table: what each upstream answer makes the worker do.
 *
 * | answer                                   | error class          | worker behaviour                                   |
 * |------------------------------------------|----------------------|----------------------------------------------------|
 * | 429, Meta 130429 (throughput)            | RateLimitedError     | whole queue waits Retry-After; attempt not spent   |
 * | Meta 131056 (pair rate limit)            | DeferredError        | this recipient retried in a minute                 |
 * | 401, 403                                 | SendingBlockedError  | system pause, probe every 30 s; nobody failed      |
 * | Meta 131048 (spam rate limit)            | SendingBlockedError  | system pause, probe every 5 min; nobody failed     |
 * | 408, 5xx, timeout, reset, refused        | UnavailableError     | p-retry now, BullMQ rounds later, then failed      |
 * | Meta 131047 (24-hour window), 131026,    | RejectedError        | recipient failed at once with code and message     |
 * |   other 4xx (bad number, bad media…)     |                      |                                                    |
 */
export const POLICY = {
  throttleCodes: new Set(['130429']),
  deferCodes: new Map([['131056', 60_000]]),
  blockCodes: new Map([
    ['401', 30_000],
    ['403', 30_000],
    ['131048', 300_000],
  ]),
  /** Wait when a 429 carries no usable Retry-After. */
  defaultRetryAfterMs: 1_000,
} as const;

interface UpstreamBody {
  code?: unknown;
  message?: unknown;
  error?: { code?: unknown; message?: unknown; error_data?: { details?: unknown } } | string;
  errors?: Array<{ code?: unknown; title?: unknown; message?: unknown }>;
}

/** The most specific code and message in an upstream error body (Meta-style or Sobot-style). */
export function upstreamError(status: number, body: unknown): { code: string; message: string } {
  const b = (body && typeof body === 'object' ? body : {}) as UpstreamBody;
  const nested = typeof b.error === 'object' ? b.error : undefined;
  const first = Array.isArray(b.errors) ? b.errors[0] : undefined;
  const code = nested?.code ?? first?.code ?? b.code ?? status;
  const message =
    nested?.message ??
    first?.message ??
    first?.title ??
    (typeof b.error === 'string' ? b.error : undefined) ??
    b.message ??
    `HTTP ${status}`;
  return { code: String(code), message: String(message).slice(0, 500) };
}

/** `Retry-After` as seconds or an HTTP date, in ms from `now`; undefined when absent or unusable. */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (!v) return undefined;
  if (/^\d+(\.\d+)?$/.test(v.trim())) return Math.round(Number(v) * 1000);
  // An HTTP date names its day or month ("Wed, 21 Oct 2026 07:28:00 GMT"); anything else is unusable.
  if (!/[a-z]{3}/i.test(v)) return undefined;
  const date = Date.parse(v);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** Turns a non-2xx answer into the error class that says what to do about it. */
export function classifyAnswer(status: number, body: unknown, retryAfter: string | string[] | undefined): SobotError {
  const { code, message } = upstreamError(status, body);
  if (status === 429 || POLICY.throttleCodes.has(code))
    return new RateLimitedError(code, message, parseRetryAfter(retryAfter));
  const defer = POLICY.deferCodes.get(code);
  if (defer) return new DeferredError(code, message, defer);
  const block = POLICY.blockCodes.get(code) ?? POLICY.blockCodes.get(String(status));
  if (block) return new SendingBlockedError(status === 401 || status === 403 ? String(status) : code, message, block);
  if (status === 408 || status >= 500)
    return new UnavailableError(code === String(status) ? `HTTP_${status}` : code, message);
  return new RejectedError(code, message);
}
