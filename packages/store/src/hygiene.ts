import type { RedisClient } from './redis';

/**
 * Settings that make Redis lose queued work silently: an eviction policy other than noeviction drops
 * jobs under memory pressure, and no persistence loses everything on restart. Returns one warning per
 * problem (none when CONFIG is not allowed, as on some managed services).
 */
export async function redisHygieneWarnings(redis: RedisClient): Promise<string[]> {
  const node = 'nodes' in redis ? (redis.nodes('master')[0] ?? null) : redis;
  if (!node) return [];
  try {
    const [, policy] = (await node.config('GET', 'maxmemory-policy')) as [string, string];
    const [, aof] = (await node.config('GET', 'appendonly')) as [string, string];
    const [, save] = (await node.config('GET', 'save')) as [string, string];
    const warnings: string[] = [];
    if (policy !== 'noeviction')
      warnings.push(`Redis maxmemory-policy is "${policy}": set it to noeviction or Redis may evict queued recipients`);
    if (aof !== 'yes' && !save)
      warnings.push(
        'Redis persistence is off (no AOF, no RDB snapshots): a Redis restart loses every queued recipient and result',
      );
    return warnings;
  } catch {
    return [];
  }
}

/** The Redis eviction policy, asked at most every 10 s; undefined when CONFIG is not allowed. */
let policyCache: { at: number; value: string | undefined } | undefined;
export async function evictionPolicy(redis: RedisClient): Promise<string | undefined> {
  if (policyCache && Date.now() - policyCache.at < 10_000) return policyCache.value;
  const node = 'nodes' in redis ? (redis.nodes('master')[0] ?? null) : redis;
  let value: string | undefined;
  try {
    value = node ? ((await node.config('GET', 'maxmemory-policy')) as [string, string])[1] : undefined;
  } catch {
    value = undefined;
  }
  policyCache = { at: Date.now(), value };
  return value;
}
