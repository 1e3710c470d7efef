import type { FastifyInstance } from 'fastify';
import { createLogger } from '@sobot/config';
import { startTestRedis } from '@sobot/devkit';
import { Store } from '@sobot/store';
// The sandbox and the sending engine are not dependencies of the producer package: reached by path.
import { startSandbox, type Sandbox } from '@sobot/sandbox';
import { startSendWorker } from '@sobot/sending';
import { buildApp } from '../src/app';
import { producerConfigSchema } from '../src/config';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const BOARD = { username: 'operator', password: 's3cret-board' };
export const API_KEY = 'ui-test-key';

/** Redis, the sandbox, the producer on 127.0.0.1:0 and one send worker, all in this process. */
export interface Stack {
  /** The producer's base URL. */
  url: string;
  app: FastifyInstance;
  sandbox: Sandbox;
  /** The test Redis and the producer's key prefix. */
  redis: { url: string; prefix: string };
  /** Closes everything that was started, last started first. */
  stop(): Promise<void>;
}

export async function startStack(opts: { sendRate: number }): Promise<Stack> {
  const closers: Array<() => Promise<unknown>> = [];
  const stop = async () => {
    const errors: unknown[] = [];
    for (const close of closers.reverse()) await close().catch((err: unknown) => errors.push(err));
    if (errors.length) throw errors[0];
  };
  try {
    const redis = await startTestRedis();
    closers.push(() => redis.close());
    const sandbox = await startSandbox({ faults: { latencyMs: 20 } });
    closers.push(() => sandbox.close());

    const cfg = producerConfigSchema.parse({
      API_KEYS: API_KEY,
      BOARD_USER: BOARD.username,
      BOARD_PASSWORD: BOARD.password,
      REDIS_URL: redis.url,
      REDIS_PREFIX: redis.prefix,
      LOG_LEVEL: 'silent',
    });
    const open = () => {
      const store = Store.open(
        { url: redis.url, prefix: redis.prefix, resultTtlDays: cfg.RESULT_TTL_DAYS },
        createLogger('store', 'silent'),
      );
      closers.push(() => store.close());
      return store;
    };

    const worker = startSendWorker({
      store: open(),
      log: createLogger('worker', 'silent'),
      sobot: { baseUrl: sandbox.url, apiKey: 'sandbox-key', apiSecret: 'sandbox-secret', timeoutMs: 5_000 },
      sendRate: opts.sendRate,
      concurrency: 8,
      maxAttempts: 3,
    });
    closers.push(() => worker.close());

    const app = await buildApp({ cfg, store: open() });
    closers.push(() => app.close());
    const url = await app.listen({ port: 0, host: '127.0.0.1' });
    return { url, app, sandbox, redis: { url: redis.url, prefix: redis.prefix }, stop };
  } catch (err) {
    await stop().catch(() => undefined);
    throw err;
  }
}

/** `count` distinct, valid 12-digit numbers starting with `prefix` (7 digits). */
export function phoneNumbers(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i).padStart(5, '0')}`);
}
