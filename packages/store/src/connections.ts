import type { Logger } from 'pino';
import { redisHygieneWarnings } from './hygiene';
import { Keys } from './keys';
import { createRedis, type RedisClient } from './redis';
import type { StoreContext } from './context';

export const DEFAULT_REDIS_URL = 'redis://127.0.0.1:6379';

export interface Connections {
  /** Our commands and scripts (auto-pipelined). */
  ctx: StoreContext;
  /** BullMQ's connection (its workers duplicate it for blocking calls). */
  bull: RedisClient;
  close(): Promise<void>;
}

export interface ConnectionOptions {
  /**
   * Commands fail after a couple of reconnect attempts instead of waiting for Redis to come back. For
   * an HTTP API: a request answers 503 while Redis is away, rather than hanging and then acting on a
   * call its client gave up on. Workers wait instead (they hold no client).
   */
  failFast?: boolean;
}

/**
 * The two connections every app opens, with connection trouble logged once per reconnect attempt
 * (a Redis restart is survived, not fatal) and the Redis settings that lose work warned about.
 */
export function openConnections(
  cfg: { REDIS_URL?: string; REDIS_CLUSTER: boolean; REDIS_PREFIX: string },
  log: Logger,
  opts: ConnectionOptions = {},
): Connections {
  const url = cfg.REDIS_URL ?? DEFAULT_REDIS_URL;
  if (!cfg.REDIS_URL) log.warn({ redisUrl: url }, 'REDIS_URL is not set: using the local default');
  const retries = opts.failFast ? { maxRetriesPerRequest: 2 } : {};
  const redis = createRedis({ url, cluster: cfg.REDIS_CLUSTER }, retries);
  const bull = createRedis({ url, cluster: cfg.REDIS_CLUSTER }, { enableAutoPipelining: false, ...retries });
  redis.on('error', (err: Error) => log.warn({ err: err.message }, 'redis connection problem'));
  bull.on('error', () => undefined);
  void redisHygieneWarnings(redis).then((ws) => ws.forEach((w) => log.warn(w)));
  return {
    ctx: { redis, keys: new Keys(cfg.REDIS_PREFIX) },
    bull,
    async close() {
      await Promise.all([redis.quit(), bull.quit()]);
    },
  };
}
