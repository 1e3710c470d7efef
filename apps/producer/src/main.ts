import { createLogger, loadConfigOrExit, onShutdown } from '@sobot/config';
import { CampaignControl, CampaignReader, Keys, createRedis, createSendQueue, redisHygieneWarnings } from '@sobot/store';
import { buildApp } from './app';
import { producerConfigSchema } from './config';

async function main(): Promise<void> {
  const cfg = loadConfigOrExit(producerConfigSchema);
  const log = createLogger('producer', cfg.LOG_LEVEL);
  const redisUrl = cfg.REDIS_URL ?? 'redis://127.0.0.1:6379';
  if (!cfg.REDIS_URL) log.warn({ redisUrl }, 'REDIS_URL is not set: using the local default');
  const redisCfg = { url: redisUrl, cluster: cfg.REDIS_CLUSTER };
  const redis = createRedis(redisCfg);
  const bull = createRedis(redisCfg, { enableAutoPipelining: false });
  redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection problem'));
  bull.on('error', () => undefined);
  const ctx = { redis, keys: new Keys(cfg.REDIS_PREFIX) };
  const queue = createSendQueue(bull, ctx.keys);
  const ttl = cfg.RESULT_TTL_DAYS * 86_400;
  const app = await buildApp({ cfg, ctx, queue, reader: new CampaignReader(ctx), control: new CampaignControl(ctx, queue, ttl) }, log);
  await app.listen({ port: cfg.PORT, host: cfg.HOST });
  void redisHygieneWarnings(redis).then((ws) => ws.forEach((w) => log.warn(w)));
  if (!cfg.BOARD_USER) log.info('BOARD_USER/BOARD_PASSWORD not set: Bull Board and the campaign page are not mounted');
  onShutdown(log, async () => {
    await app.close();
    await queue.close();
    await Promise.all([redis.quit(), bull.quit()]);
  });
}

void main();
