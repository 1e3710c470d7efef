/**
 * After campaigns complete: BullMQ's keys of the `send` queue must hold no jobs, and what remains of
 * each campaign (the result store) must carry a TTL. Reports the bytes the result store keeps.
 */
import { Queue } from 'bullmq';
import IORedis, { type Redis } from 'ioredis';
import { fixed, int } from '../lib/measure';
import { table, verdict, type Target } from '../lib/report';
import type { Stack } from '../lib/stack';

/** Queue-level BullMQ keys that exist for an idle queue (no job in them once they are empty). */
const QUEUE_LEVEL = new Set([
  'meta',
  'events',
  'id',
  'stalled-check',
  'marker',
  'wait',
  'active',
  'delayed',
  'completed',
  'failed',
  'prioritized',
  'paused',
  'pc',
  'stalled',
  'limiter',
  'waiting-children',
  'de',
]);

async function scan(redis: Redis, match: string): Promise<string[]> {
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'MATCH', match, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  return keys;
}

async function bytes(redis: Redis, keys: string[]): Promise<number> {
  let sum = 0;
  for (const k of keys) sum += Number((await redis.call('MEMORY', 'USAGE', k, 'SAMPLES', '0')) ?? 0);
  return sum;
}

/** 3600 → `1 h`, 2592000 → `30 d`. */
const span = (s: number) => (s < 86_400 ? `${fixed(s / 3600)} h` : `${fixed(s / 86_400)} d`);

/** `n`: recipients of the newest campaign under `prefix` (the one whose result store is measured). */
export async function checkCleanup(stack: Stack, prefix: string, n: number): Promise<Target> {
  const { redis } = stack;
  const bullPrefix = `{${prefix}}`;
  const connection = new IORedis(stack.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue('send', { connection, prefix: bullPrefix });
  const counts = await queue.getJobCounts();
  await queue.close();
  connection.disconnect();
  const jobsLeft = Object.values(counts).reduce((a, b) => a + b, 0);
  const queueKeys = await scan(redis, `${bullPrefix}:send:*`);
  const jobKeys = queueKeys.filter((k) => !QUEUE_LEVEL.has(k.slice(`${bullPrefix}:send:`.length)));
  const queueBytes = await bytes(redis, queueKeys);

  const ids = await redis.zrevrange(`${prefix}:campaigns`, 0, -1);
  const campaignKeys = await scan(redis, `${prefix}:{c:*`);
  const ttls = await Promise.all(campaignKeys.map((k) => redis.ttl(k)));
  const noTtl = campaignKeys.filter((_, i) => ttls[i]! < 0);
  const positive = ttls.filter((t) => t > 0);
  const newest = ids[0] ?? '';
  const newestKeys = campaignKeys.filter((k) => k.startsWith(`${prefix}:{c:${newest}}:`));
  const resultBytes = await bytes(redis, newestKeys);
  const wamidKeys = await scan(redis, `${prefix}:{w:*`);
  const wamidEntries = (await Promise.all(wamidKeys.map((k) => redis.hlen(k)))).reduce((a, b) => a + b, 0);
  const wamidBytes = await bytes(redis, wamidKeys);

  console.log(`\n  after ${ids.length} completed campaigns (prefix ${prefix}):`);
  table(
    ['what', 'value'],
    [
      ['jobs left in queue `send` (wait/active/delayed/completed/failed/…)', jobsLeft],
      ['job keys left under {prefix}:send:*', jobKeys.length],
      [
        'queue-level keys left (meta, events, id, …) / bytes',
        `${queueKeys.length - jobKeys.length} / ${int(queueBytes)}`,
      ],
      ['campaign keys without a TTL', noTtl.length],
      [
        'campaign key TTLs (rate window … results)',
        positive.length ? `${span(Math.min(...positive))} … ${span(Math.max(...positive))}` : 'none',
      ],
      [`result store of the last campaign, bytes per recipient (${newestKeys.length} keys)`, fixed(resultBytes / n)],
      [
        'wamid index (webhook lookup, 8-day TTL), bytes per sent message',
        wamidEntries ? fixed(wamidBytes / wamidEntries) : '–',
      ],
    ],
  );
  const pass = jobsLeft === 0 && jobKeys.length === 0 && noTtl.length === 0;
  console.log(
    `\n  queue cleanup: ${jobsLeft} jobs and ${jobKeys.length} job keys left, ` +
      `${noTtl.length} campaign keys without TTL  ${verdict(pass)}`,
  );
  return {
    name: 'queue data gone',
    pass,
    value:
      `${jobsLeft + jobKeys.length} jobs left, ` +
      `result TTL ${positive.length ? fixed(Math.max(...positive) / 86_400, 0) : '–'} d`,
  };
}
