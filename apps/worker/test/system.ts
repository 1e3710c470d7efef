/** What the worker's process tests share: a recipient list, and a whole system on a Redis of its own. */
import { startSystem, startTestRedis, type System, type TestRedis } from '@sobot/devkit';

/** `n` distinct 12-digit numbers starting with `prefix`, and a CSV of them. */
export function csvOf(prefix: string, n: number): { csv: string; numbers: string[] } {
  const numbers = Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(12 - prefix.length, '0')}`);
  return { csv: `phone,name\n${numbers.map((x, i) => `${x},N${i}`).join('\n')}\n`, numbers };
}

/** Runs `body` against a producer and `workers` worker processes (default 1) on a fresh Redis; closes both after. */
export async function withSystem(
  sobotUrl: string,
  opts: { workers?: number; workerEnv: Record<string, string>; appendonly?: boolean },
  body: (sys: System, redis: TestRedis) => Promise<void>,
): Promise<void> {
  const redis = await startTestRedis({ appendonly: opts.appendonly });
  const sys = await startSystem({
    redisUrl: redis.url,
    prefix: redis.prefix,
    sobotUrl,
    workers: opts.workers ?? 1,
    workerEnv: opts.workerEnv,
  });
  try {
    await body(sys, redis);
  } finally {
    await sys.close();
    await redis.close();
  }
}
