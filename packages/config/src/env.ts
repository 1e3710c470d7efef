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

/** A secret that may be given empty (compose's `${NAME:-}`): empty is unset. */
const optionalSecret = z
  .string()
  .optional()
  .transform((s) => (s ? s : undefined));

/** A comma-separated keyword list; unset or empty (compose's `${NAME:-}`) → the defaults. */
const keywords = (defaults: string[]) =>
  z
    .string()
    .optional()
    .transform((s) => {
      const given = (s ?? '')
        .split(',')
        .map((x) => x.trim())
        .filter(Boolean);
      return given.length ? given : defaults;
    });

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
  /** `json` (one JSON object a line, for collectors) or `pretty` (a time, level and message a line, for people). */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
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
  /**
   * Most bytes an .xlsx upload may expand to: the decompressed parts read (workbook, styles, shared strings, first
   * sheet), counted as they inflate; past it the upload is 413 WORKBOOK_TOO_LARGE (SPEC §22).
   */
  MAX_XLSX_EXPANDED_BYTES: int(1024, 64 * 2 ** 30).default(2 ** 30),
  /** Most bytes of an .xlsx's shared-string table (held while the sheet is read); past it 413 WORKBOOK_TOO_LARGE. */
  MAX_XLSX_SHARED_STRINGS: int(1024, 16 * 2 ** 30).default(256 * 2 ** 20),
  /**
   * Uploads (campaign uploads and suppression imports) parsed at once; one more is 503 TOO_MANY_UPLOADS with
   * Retry-After. Each parser holds buffers and a Redis pipeline: this bounds the producer's memory under a burst.
   */
  MAX_CONCURRENT_UPLOADS: int(1, 10_000).default(8),
  /** Shared token the webhook accepts as ?token= (and Meta's GET handshake as hub.verify_token). Never logged. */
  WEBHOOK_TOKEN: optionalSecret,
  /** App secret: the webhook accepts bodies signed `X-Hub-Signature-256: sha256=<HMAC-SHA256>`. Never logged. */
  WEBHOOK_APP_SECRET: optionalSecret,
  /** `true` lets the webhook take unauthenticated events (neither a token nor a signature); closed by default. */
  WEBHOOK_OPEN: bool.default(false),
  /** Largest webhook body, bytes (413 past it, and the read stops there). */
  WEBHOOK_MAX_BYTES: int(1, 2 ** 30).default(2 ** 20),
  /** Most events (statuses and inbound messages) in one webhook body (413 past it). */
  WEBHOOK_MAX_EVENTS: int(1, 10_000_000).default(10_000),
  /** Inbound texts that suppress their sender (whole message, case and surrounding space ignored). */
  OPT_OUT_KEYWORDS: keywords(['STOP', 'UNSUBSCRIBE', 'STOP ALL']),
  /** Inbound texts that lift their sender's suppression. */
  OPT_IN_KEYWORDS: keywords(['START']),
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

/**
 * The producer's quiet hours; the parser comes from the caller (@sobot/schema's parseQuietHours), so that this
 * package, which the sandbox bundles too, does not pull in the schema package.
 */
export const quietHoursEnv = <Span>(
  parse: (text: string) => { ok: true; span: Span | null } | { ok: false; message: string },
) => ({
  /**
   * Quiet hours of every upload that does not say `quiet_hours` itself: `HH:MM-HH:MM` of each recipient's local
   * time (may wrap midnight, e.g. 21:00-08:00). Unset, empty or `off`: none.
   */
  QUIET_HOURS: z
    .string()
    .default('')
    .transform((text, ctx): Span | null => {
      const r = parse(text);
      if (r.ok) return r.span;
      ctx.addIssue({ code: 'custom', message: r.message });
      return z.NEVER;
    }),
});

export { int, bool, list };
