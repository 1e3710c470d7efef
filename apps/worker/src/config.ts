import { z } from 'zod';
import { SEND_POLICY } from '@sobot/schema';
import { audienceEnv, bool, int, list, logEnv, redisEnv, sendingEnv, sobotEnv } from '@sobot/config';

/** The worker's environment (SPEC §4). */
export const workerConfigSchema = z
  .object({
    ...redisEnv,
    ...logEnv,
    ...sendingEnv({ maxAttempts: SEND_POLICY.maxAttempts }),
    ...sobotEnv,
    ...audienceEnv,
    /** With SENDERS or SENDERS_FILE the key pairs come from there (SPEC §15); loadSenders checks which is given. */
    SOBOT_API_KEY: z.string().optional(),
    /** Least time between two requests to one number from one sender (WhatsApp's pair rate, SPEC §15). */
    PAIR_INTERVAL_MS: int(0, 24 * 3_600_000).default(6000),
    /** Requests in flight in this process; default sized for the rate (half a second of sends, 8–200). */
    WORKER_CONCURRENCY: int(1, 1000).optional(),
    /** A request with no answer after this long is cut and retried. */
    SOBOT_TIMEOUT_MS: int(100, 120_000).default(SEND_POLICY.requestTimeoutMs),
    /** Days a finished campaign's results are kept in Redis. */
    RESULT_TTL_DAYS: z.coerce.number().positive().max(3650).default(30),
    /** Outbound event deliveries in flight per endpoint in this process (SPEC §16). */
    EVENT_CONCURRENCY: int(1, 200).default(8),
    /**
     * Waits (ms, comma-separated) before each retry of an event delivery; default SPEC §16's 5 s, 5 min, 30 min,
     * 2 h, 5 h, 10 h, 10 h. Tests and demos shorten it.
     */
    EVENT_RETRY_SCHEDULE_MS: list
      .pipe(
        z
          .array(z.string().regex(/^\d{1,8}$/, 'must be whole milliseconds'))
          .min(1)
          .max(15),
      )
      .transform((ms) => ms.map(Number))
      .optional(),
    /** Lets event deliveries reach loopback and private addresses (sandbox and tests only: an SSRF hole otherwise). */
    ALLOW_PRIVATE_URLS: bool.default(false),
  })
  .transform((c) => ({
    ...c,
    WORKER_CONCURRENCY: c.WORKER_CONCURRENCY ?? Math.min(200, Math.max(8, Math.ceil(c.SEND_RATE / 2))),
  }));

export type WorkerConfig = z.output<typeof workerConfigSchema>;
