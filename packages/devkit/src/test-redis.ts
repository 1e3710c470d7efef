import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { startRedisServer, type RedisServer } from './redis-server';
import { assertMayStartProcesses } from './unit-guard';

export interface TestRedis {
  url: string;
  /** A key prefix no other test uses (pass it as REDIS_PREFIX). */
  prefix: string;
  /** The server this test started, when it started one (absent on a shared Redis or under REDIS_URL). */
  server?: RedisServer;
  close(): Promise<void>;
}

export interface TestRedisOptions {
  /**
   * A redis-server of the test's own instead of its jest worker's shared one: for a test that stops, restarts or
   * kills it, changes its config (maxmemory) or reads server-wide figures (INFO commandstats).
   */
  own?: boolean;
  /** Append-only file on (implies `own`). */
  appendonly?: boolean;
}

/** The redis-server jest's global setup started for this worker (jest.config.js), if any. */
function sharedUrl(): string | undefined {
  const urls = process.env.SOBOT_TEST_REDIS_URLS?.split(',').filter(Boolean);
  if (!urls?.length) return undefined;
  const worker = Number(process.env.JEST_WORKER_ID ?? '1');
  return urls[(Math.max(worker, 1) - 1) % urls.length];
}

/**
 * A Redis for one test file, always with a key prefix of its own (nothing is flushed):
 * - the one in REDIS_URL when given;
 * - else, under jest, the redis-server its worker shares with the files it runs before and after (global setup);
 * - else, or with `own`/`appendonly`, a fresh redis-server on a free port with its data in a temp dir, removed at
 *   close.
 */
export async function startTestRedis(opts: TestRedisOptions = {}): Promise<TestRedis> {
  assertMayStartProcesses('a test Redis');
  const prefix = `t${randomBytes(4).toString('hex')}`;
  if (process.env.REDIS_URL) return { url: process.env.REDIS_URL, prefix, close: async () => undefined };
  const shared = opts.own || opts.appendonly ? undefined : sharedUrl();
  if (shared) return { url: shared, prefix, close: async () => undefined };
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
