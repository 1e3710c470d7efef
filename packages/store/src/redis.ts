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
