import { z } from 'zod';
import type { SandboxOptions } from './sandbox';

/** Names the variables (never their values when secret) that stop the sandbox from starting. */
export class ConfigError extends Error {
  readonly code = 'SANDBOX_CONFIG_INVALID';
}

const SECRETS = new Set(['SOBOT_API_KEY', 'SOBOT_API_SECRET']);

/** An empty variable (`FOO=` in a .env file) means "not set". */
const env = <T extends z.ZodType>(schema: T) => z.preprocess((v) => (v === '' ? undefined : v), schema);

const int = (min: number, max: number, what: string) =>
  z.coerce.number({ error: what }).int(what).min(min, what).max(max, what);

const RATIO = 'must be a number from 0 to 1';
const ratio = z.coerce.number({ error: RATIO }).min(0, RATIO).max(1, RATIO);

const LATENCY = "must be milliseconds ('50') or a uniform range ('20-80')";
const latency = z
  .string()
  .regex(/^\d+(\.\d+)?(-\d+(\.\d+)?)?$/, LATENCY)
  .transform((s) => {
    const [min = 0, max = min] = s.split('-').map(Number);
    return min === max ? min : { min, max };
  })
  .refine((l) => typeof l === 'number' || l.min <= l.max, 'the range must go from low to high');

const list = z.string().transform((s) =>
  s
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== ''),
);

const envSchema = z.object({
  SANDBOX_PORT: env(int(0, 65535, 'must be a port number from 0 to 65535').default(3900)),
  SANDBOX_HOST: env(z.string().default('127.0.0.1')),
  /** When set, requests must carry this x-api-key (the same variable the worker sends with). */
  SOBOT_API_KEY: env(z.string().optional()),
  /** When set, requests must carry this x-api-secret. */
  SOBOT_API_SECRET: env(z.string().optional()),
  SANDBOX_LATENCY_MS: env(latency.optional()),
  /** Share of requests answered with SANDBOX_ERROR_STATUS. */
  SANDBOX_ERROR_RATIO: env(ratio.optional()),
  SANDBOX_ERROR_STATUS: env(int(500, 599, 'must be an HTTP status from 500 to 599').optional()),
  /** Share of requests answered 429 with Retry-After: SANDBOX_RETRY_AFTER seconds. */
  SANDBOX_429_RATIO: env(ratio.optional()),
  SANDBOX_RETRY_AFTER: env(int(0, 86_400, 'must be whole seconds from 0 to 86400').optional()),
  /** Share of requests never answered. */
  SANDBOX_HANG_RATIO: env(ratio.optional()),
  /** Share of requests whose connection is reset. */
  SANDBOX_RESET_RATIO: env(ratio.optional()),
  /** Comma list of numbers outside the 24-hour window; '9198*' is a prefix. */
  SANDBOX_CLOSED_NUMBERS: env(list.optional()),
  /** Requests admitted per second before 429s; 0 means no cap. */
  SANDBOX_MAX_RPS: env(int(0, 1_000_000, 'must be a whole number of requests per second').optional()),
  /** Where delivered/read status events are posted after each 200. */
  SANDBOX_WEBHOOK_URL: env(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional()),
  SANDBOX_WEBHOOK_DELAY_MS: env(int(0, 600_000, 'must be whole milliseconds').optional()),
  /** Comma list of the events to send, in order: delivered, read. */
  SANDBOX_WEBHOOK_STATUSES: env(
    list.pipe(z.array(z.enum(['delivered', 'read'], { error: 'must be a comma list of delivered, read' }))).optional(),
  ),
});

export interface SandboxConfig extends SandboxOptions {
  port: number;
  host: string;
}

/** Reads the sandbox's settings once; a bad variable throws a ConfigError naming it. */
export function loadConfig(source: Record<string, string | undefined>): SandboxConfig {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => {
      const name = String(issue.path[0] ?? 'environment');
      const value = source[name];
      const shown = value === undefined || SECRETS.has(name) ? '' : ` (got "${value.slice(0, 40)}")`;
      return `${name} ${issue.message}${shown}`;
    });
    throw new ConfigError(`invalid environment: ${problems.join('; ')}`);
  }
  const e = parsed.data;
  return {
    port: e.SANDBOX_PORT,
    host: e.SANDBOX_HOST,
    apiKey: e.SOBOT_API_KEY,
    apiSecret: e.SOBOT_API_SECRET,
    faults: {
      latencyMs: e.SANDBOX_LATENCY_MS,
      errorRatio: e.SANDBOX_ERROR_RATIO,
      errorStatus: e.SANDBOX_ERROR_STATUS,
      rateLimitRatio: e.SANDBOX_429_RATIO,
      retryAfterSeconds: e.SANDBOX_RETRY_AFTER,
      hangRatio: e.SANDBOX_HANG_RATIO,
      resetRatio: e.SANDBOX_RESET_RATIO,
      closedNumbers: e.SANDBOX_CLOSED_NUMBERS,
      maxRps: e.SANDBOX_MAX_RPS,
    },
    webhook: e.SANDBOX_WEBHOOK_URL
      ? { url: e.SANDBOX_WEBHOOK_URL, delayMs: e.SANDBOX_WEBHOOK_DELAY_MS, statuses: e.SANDBOX_WEBHOOK_STATUSES }
      : undefined,
  };
}
