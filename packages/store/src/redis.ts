import IORedis, { Cluster, type Redis, type RedisOptions } from 'ioredis';
import { defineScripts } from './scripts';

export type RedisClient = Redis | Cluster;

export interface RedisConfig {
  url: string;
  cluster?: boolean;
}

/**
 * One connection to Redis or Redis Cluster. `maxRetriesPerRequest: null` lets commands wait through a
 * Redis restart instead of failing (BullMQ needs it too); reconnects back off to at most one second.
 */
export function createRedis(cfg: RedisConfig, extra: RedisOptions = {}): RedisClient {
  const opts: RedisOptions = {
    maxRetriesPerRequest: null,
    enableAutoPipelining: true,
    retryStrategy: (times) => Math.min(50 * times, 1000),
    ...extra,
  };
  if (cfg.cluster) {
    const seeds = cfg.url.split(',').map((u) => new URL(u.trim().includes('://') ? u.trim() : `redis://${u.trim()}`));
    const nodes = seeds.map((s) => ({ host: s.hostname, port: Number(s.port || 6379) }));
    const first = seeds[0]!;
    const cluster = new Cluster(nodes, {
      enableAutoPipelining: true,
      clusterRetryStrategy: (times) => Math.min(100 * times, 2000),
      redisOptions: { ...opts, username: first.username || undefined, password: first.password || undefined },
    });
    defineScripts(cluster);
    return cluster;
  }
  const client = new IORedis(cfg.url, opts);
  defineScripts(client);
  return client;
}

/**
 * For a client that answers HTTP calls (SPEC §22: with Redis unreachable, 503 within a second): once it has been
 * ready, a command sent while the connection is down fails at once (ioredis's offline queue off: "Stream isn't
 * writeable", a StoreUnavailableError) instead of waiting out reconnect attempts that back off to a second each.
 * Until the first connection the queue stays on, so a process that just started waits for Redis as before
 * (`maxRetriesPerRequest` still ends that wait). Commands already sent when the connection drops are failed by
 * `maxRetriesPerRequest` at the first reconnect attempts. Not for connections BullMQ workers duplicate: their
 * blocking calls wait through a restart.
 */
export function failFastOnceReady(client: RedisClient): void {
  client.once('ready', () => {
    client.options.enableOfflineQueue = false;
  });
}

/** Resolves when the client is ready (or rejects after `timeoutMs`). */
export async function redisReady(client: RedisClient, timeoutMs = 10_000): Promise<void> {
  if (client.status === 'ready') return;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis not ready after ${timeoutMs} ms`)), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}
