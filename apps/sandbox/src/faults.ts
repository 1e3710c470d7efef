import { z } from 'zod';

const ratio = z.number().min(0).max(1);

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
  /** Numbers outside the 24-hour window; an entry ending in '*' is a prefix. */
  closedNumbers: z.array(z.string()),
  /** Every request gets 401, whatever its credentials. */
  authFail: z.boolean(),
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
  authFail: false,
};

/** The injected failure a request drew, if any. */
export type Mishap = 'reset' | 'hang' | '429' | '5xx';

/** Faults turned into what the hot path needs: thresholds, a number matcher, a latency picker. */
export interface FaultPlan {
  readonly faults: Readonly<Faults>;
  /**
   * One draw decides among the mishaps, so their ratios add up (10 % errors and 10 % 429 make 20 %
   * failures). Should they sum past 1, the earlier ones win: reset, hang, 429, 5xx.
   */
  draw(): Mishap | undefined;
  latency(): number;
  isClosed(number: string): boolean;
}

export function planFaults(faults: Faults): FaultPlan {
  const reset = faults.resetRatio;
  const hang = reset + faults.hangRatio;
  const limited = hang + faults.rateLimitRatio;
  const failed = limited + faults.errorRatio;
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const entry of faults.closedNumbers) {
    if (entry.endsWith('*')) prefixes.push(entry.slice(0, -1));
    else exact.add(entry);
  }
  const { latencyMs } = faults;
  return {
    faults,
    draw() {
      if (failed === 0) return undefined;
      const r = Math.random();
      if (r < reset) return 'reset';
      if (r < hang) return 'hang';
      if (r < limited) return '429';
      if (r < failed) return '5xx';
      return undefined;
    },
    latency:
      typeof latencyMs === 'number'
        ? () => latencyMs
        : () => latencyMs.min + Math.random() * (latencyMs.max - latencyMs.min),
    isClosed(number) {
      if (exact.has(number)) return true;
      for (const prefix of prefixes) if (number.startsWith(prefix)) return true;
      return false;
    },
  };
}

/** `current` with the keys `patch` defines laid over it, checked as a whole (throws a ZodError). */
export function mergeFaults(current: Faults, patch: Partial<Faults>): Faults {
  const defined = Object.entries(patch).filter(([, value]) => value !== undefined);
  return faultsSchema.parse({ ...current, ...Object.fromEntries(defined) });
}
