import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startRedisServer, type RedisServer } from './redis-server';

export interface TestRedis {
  url: string;
  /** A key prefix no other test uses (pass it as REDIS_PREFIX). */
  prefix: string;
  /** The server this test started, when it started one (absent under REDIS_URL). */
  server?: RedisServer;
  close(): Promise<void>;
}

/**
 * A Redis for one test file: the one in REDIS_URL when given (with a unique prefix; nothing is
 * flushed), else a fresh redis-server on a free port with its data in a temp dir, removed at close.
 */
export async function startTestRedis(opts: { appendonly?: boolean } = {}): Promise<TestRedis> {
  const prefix = `t${randomBytes(4).toString('hex')}`;
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, prefix, close: async () => undefined };
  const dir = mkdtempSync(join(tmpdir(), 'sobot-redis-'));
  const server = await startRedisServer({ dir, appendonly: opts.appendonly ?? false });
  return {
    url: server.url,
    prefix,
    server,
    async close() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
