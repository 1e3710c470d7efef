import { z } from 'zod';
import { NumberMatcher } from './number-matcher';
import { isUpstreamCode, UPSTREAM_CODE_LIST, UPSTREAM_CODES, type UpstreamCode } from './upstream-errors';

const ratio = z.number().min(0).max(1);

/** A whole number, or a prefix: digits ending in '*'. */
export const numberPattern = z
  .string()
  .regex(/^\d{1,15}\*?$/, "must be 1 to 15 digits, or digits ending in '*' (a prefix)");

export const upstreamCode = z.literal(UPSTREAM_CODES, { error: `must be one of the codes ${UPSTREAM_CODE_LIST}` });

/** A code as an object key (JSON keys are strings). */
const upstreamCodeKey = z.string().refine((key) => /^\d+$/.test(key) && isUpstreamCode(Number(key)), {
  error: `must be one of the codes ${UPSTREAM_CODE_LIST}`,
});

/** What the sandbox does wrong, on purpose. Ratios are probabilities per request. */
export const faultsSchema = z.strictObject({
  /** Delay before answering: fixed, or uniform between min and max. */
  latencyMs: z.union([
    z.number().min(0),
    z
      .strictObject({ min: z.number().min(0), max: z.number().min(0) })
      .refine((l) => l.min <= l.max, 'min must be <= max'),
  ]),
  errorRatio: ratio,
  errorStatus: z.number().int().min(500).max(599),
  rateLimitRatio: ratio,
  retryAfterSeconds: z.number().int().min(0),
  /** Never answered: the socket stays open until the client gives up. */
  hangRatio: ratio,
  /** The socket is reset without an answer. */
  resetRatio: ratio,
  /** Numbers outside the 24-hour window; an entry ending in '*' is a prefix. Same as 131047 in numberCodes. */
  closedNumbers: z.array(z.string()),
  /** Number or prefix → the upstream error code its valid requests are answered with. */
  numberCodes: z.record(numberPattern, upstreamCode),
  /** Upstream error code → share of requests answered with it, whatever the number. */
  codeRatios: z.record(upstreamCodeKey, ratio),
  /**
   * How an upstream error code is worded: `sobot` Sobot's envelope `{code: <HTTP status>, message, error: {…,
   * code}}`, `meta` Meta's own `{error: {message, type, code, error_data, fbtrace_id}}`, `flat` `{code, message}`
   * with the upstream code at the top.
   */
  errorShape: z.enum(['sobot', 'meta', 'flat']),
  /** Number or prefix → code: the request is accepted, then its status callback reports failed with it. */
  callbackFailures: z.record(numberPattern, upstreamCode),
  /** Numbers or prefixes whose valid requests are answered `errorStatus` (a 5xx), every time. */
  errorNumbers: z.array(numberPattern),
  /** Numbers or prefixes whose valid requests are answered 200 without `data.id` (no wamid: maybe sent). */
  noWamidNumbers: z.array(numberPattern),
  /** Every request gets 401, whatever its credentials. */
  authFail: z.boolean(),
  /** Ids of key pairs (options.keys / SANDBOX_KEYS) answered 401 from now on: a key revoked mid-run. */
  revokedKeys: z.array(z.string()),
  /** 131056 when one number gets two requests from one key closer than this (ms); 0: no pair rate. */
  pairIntervalMs: z.number().int().min(0),
  /** Admitted requests per calendar second; the rest get 429. 0 or absent: no cap. */
  maxRps: z.number().int().min(0).optional(),
});

export type Faults = z.infer<typeof faultsSchema>;

export const faultsPatchSchema = faultsSchema.partial();

export const DEFAULT_FAULTS: Faults = {
  latencyMs: 0,
  errorRatio: 0,
  errorStatus: 503,
  rateLimitRatio: 0,
  retryAfterSeconds: 1,
  hangRatio: 0,
  resetRatio: 0,
  closedNumbers: [],
  numberCodes: {},
  codeRatios: {},
  errorShape: 'sobot',
  callbackFailures: {},
  errorNumbers: [],
  noWamidNumbers: [],
  authFail: false,
  revokedKeys: [],
  pairIntervalMs: 0,
};

/** The injected failure a request drew, if any: a number is an upstream error code. */
export type Mishap = 'reset' | 'hang' | '429' | '5xx' | UpstreamCode;

/** Faults turned into what the hot path needs: thresholds, a number matcher, a latency picker. */
export interface FaultPlan {
  readonly faults: Readonly<Faults>;
  /**
   * One draw decides among the mishaps, so their ratios add up (10 % errors and 10 % 429 make 20 %
   * failures). Should they sum past 1, the earlier ones win: reset, hang, 429, 5xx, then codeRatios
   * by ascending code.
   */
  draw(): Mishap | undefined;
  latency(): number;
  /** The upstream error code a valid request for `number` is answered with (closedNumbers: 131047). */
  codeFor(number: string): UpstreamCode | undefined;
  /** Whether a valid request for `number` is answered `errorStatus` (errorNumbers). */
  failsFor(number: string): boolean;
  /** Whether a valid request for `number` is answered 200 without a wamid (noWamidNumbers). */
  noWamidFor(number: string): boolean;
  /** The code an accepted message to `number` fails with in its status callback. */
  callbackFailure(number: string): UpstreamCode | undefined;
}

export function planFaults(faults: Faults): FaultPlan {
  const reset = faults.resetRatio;
  const hang = reset + faults.hangRatio;
  const limited = hang + faults.rateLimitRatio;
  const failed = limited + faults.errorRatio;
  const coded: Array<{ below: number; code: UpstreamCode }> = [];
  let total = failed;
  for (const [key, share] of Object.entries(faults.codeRatios)) {
    const code = Number(key);
    if (share === 0 || !isUpstreamCode(code)) continue;
    total += share;
    coded.push({ below: total, code });
  }
  const closed = faults.closedNumbers.map((pattern) => [pattern, 131047] as const);
  const codes = new NumberMatcher<UpstreamCode>([...closed, ...Object.entries(faults.numberCodes)]);
  const callbackFailures = new NumberMatcher(Object.entries(faults.callbackFailures));
  const failing = new NumberMatcher(faults.errorNumbers.map((pattern) => [pattern, true] as const));
  const noWamid = new NumberMatcher(faults.noWamidNumbers.map((pattern) => [pattern, true] as const));
  const none = (): undefined => undefined;
  const { latencyMs } = faults;
  return {
    faults,
    draw() {
      if (total === 0) return undefined;
      const r = Math.random();
      if (r < reset) return 'reset';
      if (r < hang) return 'hang';
      if (r < limited) return '429';
      if (r < failed) return '5xx';
      for (const step of coded) if (r < step.below) return step.code;
      return undefined;
    },
    latency:
      typeof latencyMs === 'number'
        ? () => latencyMs
        : () => latencyMs.min + Math.random() * (latencyMs.max - latencyMs.min),
    // Without entries the send path pays for one call, not a map lookup.
    codeFor: codes.empty ? none : (number) => codes.match(number),
    callbackFailure: callbackFailures.empty ? none : (number) => callbackFailures.match(number),
    failsFor: failing.empty ? () => false : (number) => failing.match(number) === true,
    noWamidFor: noWamid.empty ? () => false : (number) => noWamid.match(number) === true,
  };
}

/** `current` with the keys `patch` defines laid over it, checked as a whole (throws a ZodError). */
export function mergeFaults(current: Faults, patch: Partial<Faults>): Faults {
  const defined = Object.entries(patch).filter(([, value]) => value !== undefined);
  return faultsSchema.parse({ ...current, ...Object.fromEntries(defined) });
}
