import { createLogger, loadConfigOrExit, onShutdown } from '@sobot/config';
import { startSendWorker } from '@sobot/sending';
import { openConnections } from '@sobot/store';
import { workerConfigSchema } from './config';

const cfg = loadConfigOrExit(workerConfigSchema);
const log = createLogger('worker', cfg.LOG_LEVEL);
const conn = openConnections(cfg, log);

const sender = startSendWorker({
  ctx: conn.ctx,
  bullConnection: conn.bull,
  log,
  sobot: {
    baseUrl: cfg.SOBOT_API_URL,
    apiKey: cfg.SOBOT_API_KEY,
    apiSecret: cfg.SOBOT_API_SECRET,
    timeoutMs: cfg.SOBOT_TIMEOUT_MS,
  },
  sendRate: cfg.SEND_RATE,
  concurrency: cfg.WORKER_CONCURRENCY,
  maxAttempts: cfg.MAX_ATTEMPTS,
  resultTtlSeconds: cfg.RESULT_TTL_DAYS * 86_400,
});
log.info(
  {
    sendRate: cfg.SEND_RATE,
    concurrency: cfg.WORKER_CONCURRENCY,
    maxAttempts: cfg.MAX_ATTEMPTS,
    upstream: cfg.SOBOT_API_URL,
    pid: process.pid,
  },
  'worker started',
);

onShutdown(log, async () => {
  await sender.close();
  await conn.close();
});
