import { z } from 'zod';

/** Building blocks of the per-app schemas: SPEC §4, one comment per variable. */

// Each check carries its own message: the one given to coerce.number would otherwise stand for all of them.
const int = (min: number, max: number) =>
  z.coerce
    .number({ message: 'must be a number' })
    .int('must be a whole number')
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`);
const bool = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');
const list = z.string().transform((s) =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean),
);

export const redisEnv = {
  /** Redis to use; with REDIS_CLUSTER=true a comma-separated list of seed nodes. Unset: embedded under `pnpm start`. */
  REDIS_URL: z.string().optional(),
  /** `true` to talk to a Redis Cluster. */
  REDIS_CLUSTER: bool.default(false),
  /** Namespace for every key (tests use a unique one per run). */
  REDIS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,32}$/, 'must be 1–32 letters, digits, _ or -')
    .default('sobot'),
};

export const logEnv = {
  /** pino level. */
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
};

export const sobotEnv = {
  /** Upstream base URL; messages go to `${SOBOT_API_URL}/message/`. */
  SOBOT_API_URL: z.url({ protocol: /^https?$/, message: 'must be an http(s) URL' }).default('https://api.sobot.in'),
  /** Sent as x-api-key. Never logged. */
  SOBOT_API_KEY: z.string().min(1),
  /** Sent as x-api-secret. Never logged. */
  SOBOT_API_SECRET: z.string().default(''),
};

/** Sending; the default attempts come from the caller (the worker reads them from SEND_POLICY). */
export const sendingEnv = (defaults: { maxAttempts: number }) => ({
  /** Messages per second, global across all workers. */
  SEND_RATE: z.coerce
    .number({ message: 'must be a number of messages per second' })
    .positive('must be greater than 0')
    .max(100_000)
    .default(80),
  /** Attempts (rounds of retries) per message before it is a failure. */
  MAX_ATTEMPTS: int(1, 100).default(defaults.maxAttempts),
});

/** Who may be messaged (SPEC §12). */
export const audienceEnv = {
  /** A number that got a bulk message within this many hours is skipped (FREQUENCY_CAP); unset: no cap. */
  FREQUENCY_CAP_HOURS: z.coerce
    .number({ message: 'must be a number of hours' })
    .positive('must be greater than 0 (unset it for no cap)')
    .max(24 * 366, 'must be at most a year (8784 hours)')
    .optional(),
};

export const producerEnv = {
  /** Producer HTTP port. */
  PORT: int(0, 65535).default(3000),
  /** Bind address. */
  HOST: z.string().default('0.0.0.0'),
  /** Bearer tokens accepted on /v1/*. */
  API_KEYS: list.refine((l) => l.length > 0, 'must list at least one token'),
  /** Basic auth for Bull Board and the campaign page; absent → not mounted. */
  BOARD_USER: z.string().optional(),
  BOARD_PASSWORD: z.string().optional(),
  /** Prepended to national numbers. */
  DEFAULT_COUNTRY_CODE: z
    .string()
    .regex(/^[1-9]\d{0,3}$/, 'must be 1–4 digits without + (e.g. 91)')
    .optional(),
  /** Largest accepted upload, bytes. */
  MAX_UPLOAD_BYTES: int(1, 64 * 2 ** 30).default(512 * 2 ** 20),
  /** Shared token the delivery webhook must carry as ?token=. */
  WEBHOOK_TOKEN: z.string().optional(),
  /** Days a finished campaign's results are kept in Redis. */
  RESULT_TTL_DAYS: z.coerce.number().positive().max(3650).default(30),
  /** Bearer token /metrics asks for (`Authorization: Bearer …`); unset → /metrics is open. Never logged. */
  METRICS_TOKEN: z.string().min(1, 'must not be empty (unset it to leave /metrics open)').optional(),
  /**
   * Lets URLs the producer fetches itself (image pre-flight) reach loopback, private and link-local
   * addresses. For the sandbox and the demo only: in production it opens an SSRF hole.
   */
  ALLOW_PRIVATE_URLS: bool.default(false),
};

export { int, bool, list };
