/**
 * In-process producers for tests: each is the real app (buildApp) with a Store of its own on one test Redis and
 * prefix, built from the environment a test gives (API_KEYS set). `close` ends every app and store, then the Redis.
 */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { createLogger } from '@sobot/config';
import { startTestRedis, type TestRedis, type TestRedisOptions } from '@sobot/devkit';
import { Store } from '@sobot/store';
import { buildApp } from '../src/app';
import { producerConfigSchema } from '../src/config';

export interface TestProducer {
  app: FastifyInstance;
  store: Store;
}

export class TestProducers {
  private readonly apps: FastifyInstance[] = [];
  private readonly stores: Store[] = [];

  private constructor(
    readonly redis: TestRedis,
    private readonly apiKey: string,
  ) {}

  static async start(apiKey: string, redis: TestRedisOptions = {}): Promise<TestProducers> {
    return new TestProducers(await startTestRedis(redis), apiKey);
  }

  /** A producer with `env` over the defaults (API_KEYS, REDIS_URL, REDIS_PREFIX); `logger` takes its log lines. */
  async open(env: Record<string, string> = {}, logger?: Logger): Promise<TestProducer> {
    const cfg = producerConfigSchema.parse({
      API_KEYS: this.apiKey,
      REDIS_URL: this.redis.url,
      REDIS_PREFIX: this.redis.prefix,
      ...env,
    });
    const store = Store.open(
      { url: this.redis.url, prefix: this.redis.prefix, resultTtlDays: cfg.RESULT_TTL_DAYS },
      createLogger('store', 'silent'),
    );
    this.stores.push(store);
    const app = await buildApp({ cfg, store }, logger);
    this.apps.push(app);
    return { app, store };
  }

  async close(): Promise<void> {
    for (const a of this.apps) await a.close();
    for (const s of this.stores) await s.close();
    await this.redis.close();
  }
}
