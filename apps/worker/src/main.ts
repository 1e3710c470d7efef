import { createLogger, loadConfigOrExit, onShutdown } from '@sobot/config';
import { startSendWorker } from '@sobot/sending';
import { Keys, createRedis, redisHygieneWarnings } from '@sobot/store';
import { workerConfigSchema } from './config';

const cfg = loadConfigOrExit(workerConfigSchema);
const log = createLogger('worker', cfg.LOG_LEVEL);
const redisUrl = cfg.REDIS_URL ?? 'redis://127.0.0.1:6379';
if (!cfg.REDIS_URL) log.warn({ redisUrl }, 'REDIS_URL is not set: using the local default');
const redisCfg = { url: redisUrl, cluster: cfg.REDIS_CLUSTER };
const redis = createRedis(redisCfg);
const bull = createRedis(redisCfg, { enableAutoPipelining: false });
redis.on('error', (err) => log.warn({ err: err.message }, 'redis connection problem'));
bull.on('error', () => undefined);

const sender = startSendWorker({
  ctx: { redis, keys: new Keys(cfg.REDIS_PREFIX) },
  bullConnection: bull,
  log,
  sobot: { baseUrl: cfg.SOBOT_API_URL, apiKey: cfg.SOBOT_API_KEY, apiSecret: cfg.SOBOT_API_SECRET, timeoutMs: cfg.SOBOT_TIMEOUT_MS },
  sendRate: cfg.SEND_RATE,
  concurrency: cfg.WORKER_CONCURRENCY,
  maxAttempts: cfg.MAX_ATTEMPTS,
  resultTtlSeconds: cfg.RESULT_TTL_DAYS * 86_400,
});
void redisHygieneWarnings(redis).then((ws) => ws.forEach((w) => log.warn(w)));
log.info(
  { sendRate: cfg.SEND_RATE, concurrency: cfg.WORKER_CONCURRENCY, maxAttempts: cfg.MAX_ATTEMPTS, upstream: cfg.SOBOT_API_URL, pid: process.pid },
  'worker started',
);

onShutdown(log, async () => {
  await sender.close();
  await Promise.all([redis.quit(), bull.quit()]);
});
