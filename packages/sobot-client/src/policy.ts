import {
  DeferredError,
  RateLimitedError,
  RejectedError,
  SendingBlockedError,
  UnavailableError,
  type NumberEffect,
  type SobotError,
} from './errors';
import { SEND_POLICY, clipBytes } from '@sobot/schema';

/** What the worker does about an upstream answer; each kind maps to one error class. */
export type PolicyKind = 'throttle' | 'defer' | 'block' | 'retry' | 'reject';

export interface PolicyRow {
  /** Upstream codes (the body's code, or the HTTP status for answers without one). */
  codes: readonly string[];
  kind: PolicyKind;
  /** defer: how long this recipient waits; block: how often one probe message tests the block. */
  waitMs?: number;
  /** reject: what the answer also does to the number (SPEC §12–§13; the worker applies it). */
  effect?: NumberEffect;
  /** What the worker does, for people (README and docs list the same). */
  does: string;
}

/**
 * The error-code policy, in one table (SPEC §7, §13): what each upstream answer makes the worker do. An answer
 * whose code is in no row is `retry` for 408 and 5xx, else `reject`. A 200 without `data.id` is NO_WAMID, failed
 * and never re-sent (client.ts). Numbers come from SEND_POLICY.
 */
export const POLICY_TABLE: readonly PolicyRow[] = [
  { codes: ['429', '130429'], kind: 'throttle', does: 'every worker waits Retry-After; the attempt is not spent' },
  {
    codes: ['131056'],
    kind: 'defer',
    waitMs: SEND_POLICY.deferMs.pairRateLimit,
    does: 'this recipient is retried in a minute (pair rate limit)',
  },
  {
    codes: ['401', '403', '190', '0', '368', '131031', '131042'],
    kind: 'block',
    waitMs: SEND_POLICY.probeEveryMs.auth,
    does:
      'sending pauses system-wide with the reason (wrong key, account blocked or locked, payment); ' +
      'a probe every 30 s',
  },
  {
    codes: ['131048'],
    kind: 'block',
    waitMs: SEND_POLICY.probeEveryMs.spam,
    does: 'sending pauses system-wide (spam rate limit); a probe every 5 minutes',
  },
  {
    codes: ['131057', '131000', '131016', '133004', '1', '2'],
    kind: 'retry',
    does: 'retried like a 5xx (maintenance, temporary upstream errors)',
  },
  {
    codes: ['131047'],
    kind: 'reject',
    effect: 'close-window',
    does: "the recipient fails (outside the 24-hour window); the number's window is closed until it writes again",
  },
  {
    codes: ['131049'],
    kind: 'reject',
    effect: 'hold-retry',
    does: 'the recipient fails, reason kept (per-user marketing limit); retry-failed leaves the number for 24 h',
  },
  {
    codes: ['131050'],
    kind: 'reject',
    effect: 'suppress',
    does: 'the recipient fails (the user stopped marketing messages); the number is suppressed (reason 131050)',
  },
  {
    codes: ['131026', '131051', '131008', '131009', '131021', '131052', '131053'],
    kind: 'reject',
    does: 'the recipient fails at once with the upstream code and message',
  },
];

const BY_CODE = new Map<string, PolicyRow>(POLICY_TABLE.flatMap((row) => row.codes.map((c) => [c, row] as const)));

/** The row for an answer: its body code first, then its HTTP status. */
export function policyFor(status: number, code: string): PolicyRow | undefined {
  return BY_CODE.get(code) ?? BY_CODE.get(String(status));
}

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
  // Texts from outside are clipped (SPEC §22): 1 KiB of message, 64 bytes of code, UTF-8 safe.
  return { code: clipBytes(String(code), 64), message: clipBytes(String(message)) };
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
  const row = policyFor(status, code);
  const kind: PolicyKind = row?.kind ?? (status === 408 || status >= 500 ? 'retry' : 'reject');
  // An answer whose body has no code of its own is named by its status.
  const own = code === String(status) ? undefined : code;
  switch (kind) {
    case 'throttle':
      return new RateLimitedError(code, message, parseRetryAfter(retryAfter));
    case 'defer':
      return new DeferredError(code, message, row?.waitMs ?? SEND_POLICY.deferMs.pairRateLimit);
    case 'block': {
      // Named by the body's code when the table knows it (368: account blocked), else by the status: a wrong
      // key is a 401 whatever code its body carries.
      const name = BY_CODE.get(code)?.kind === 'block' ? code : String(status);
      return new SendingBlockedError(name, message, row?.waitMs ?? SEND_POLICY.probeEveryMs.auth);
    }
    case 'retry':
      return new UnavailableError(own ?? `HTTP_${status}`, message);
    default:
      return new RejectedError(code, message, row?.effect);
  }
}

/**
 * Whether `retry-failed` may request a failed recipient again by default (SPEC §20), from its stored failure
 * code and this one table: `retry` when a new request can succeed (a `retry`, `throttle`, `defer` or `block`
 * row — the upstream was busy or held everyone —, 408 / 5xx, timeouts and network errors, and 131049 once its
 * 24 h hold is over), `permanent` when the upstream refused the message itself (a `reject` row, or another
 * numeric code the table does not know), `no_wamid` for a 200 without an id (it may have been sent).
 */
export type RetryClass = 'retry' | 'permanent' | 'no_wamid';

export function retryClass(code: string): RetryClass {
  if (code === 'NO_WAMID') return 'no_wamid';
  const row = BY_CODE.get(code);
  if (row) return row.kind !== 'reject' || row.effect === 'hold-retry' ? 'retry' : 'permanent';
  // `HTTP_<status>`: an answer whose body had no code of its own (classifyAnswer); a bare number: its code.
  const status = /^HTTP_(\d{3})$/.exec(code)?.[1] ?? (/^\d+$/.test(code) ? code : undefined);
  if (status !== undefined) {
    const n = Number(status);
    return n === 408 || (n >= 500 && n <= 599) ? 'retry' : 'permanent';
  }
  // TIMEOUT, CONNECTION_RESET, CONNECTION_REFUSED, NETWORK_ERROR, a socket's own code, INTERNAL: nothing answered.
  return 'retry';
}
