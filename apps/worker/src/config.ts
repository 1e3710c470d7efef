import { z } from 'zod';
import { SEND_POLICY } from '@sobot/schema';
import { audienceEnv, int, logEnv, redisEnv, sendingEnv, sobotEnv } from '@sobot/config';

/** The worker's environment (SPEC §4). */
export const workerConfigSchema = z
  .object({
    ...redisEnv,
    ...logEnv,
    ...sendingEnv({ maxAttempts: SEND_POLICY.maxAttempts }),
    ...sobotEnv,
    ...audienceEnv,
    /**
     * Requests in flight in this process at start, and the fewest ever: from there the limit follows the upstream's
     * observed latency (Little's law) up to WORKER_MAX_IN_FLIGHT. Default: half a second of sends, 8–200.
     */
    WORKER_CONCURRENCY: int(1, 20_000).optional(),
    /** Most requests in flight in this process (SPEC §15); the HTTP pool opens at most this many sockets. */
    WORKER_MAX_IN_FLIGHT: int(1, 20_000).default(1000),
    /** A request with no answer after this long is cut and retried. */
    SOBOT_TIMEOUT_MS: int(100, 120_000).default(SEND_POLICY.requestTimeoutMs),
    /** Days a finished campaign's results are kept in Redis. */
    RESULT_TTL_DAYS: z.coerce.number().positive().max(3650).default(30),
  })
  .refine((c) => c.WORKER_CONCURRENCY === undefined || c.WORKER_CONCURRENCY <= c.WORKER_MAX_IN_FLIGHT, {
    path: ['WORKER_CONCURRENCY'],
    message: 'must not exceed WORKER_MAX_IN_FLIGHT (it is the starting and least in-flight limit)',
  })
  .transform((c) => ({
    ...c,
    WORKER_CONCURRENCY:
      c.WORKER_CONCURRENCY ?? Math.min(200, c.WORKER_MAX_IN_FLIGHT, Math.max(8, Math.ceil(c.SEND_RATE / 2))),
  }));

export type WorkerConfig = z.output<typeof workerConfigSchema>;
