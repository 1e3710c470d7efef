import { createLogger, loadConfigOrExit, logDestination, onShutdown } from '@sobot/config';
import { SEND_POLICY } from '@sobot/schema';
import { startSendWorker, troubleLog } from '@sobot/sending';
import { Store } from '@sobot/store';
import { workerConfigSchema } from './config';

const cfg = loadConfigOrExit(workerConfigSchema);
const log = createLogger('worker', cfg.LOG_LEVEL, {}, logDestination(cfg.LOG_FORMAT));
const store = Store.open(
  { url: cfg.REDIS_URL, cluster: cfg.REDIS_CLUSTER, prefix: cfg.REDIS_PREFIX, resultTtlDays: cfg.RESULT_TTL_DAYS },
  log,
);

const sender = startSendWorker({
  store,
  log,
  sobot: {
    baseUrl: cfg.SOBOT_API_URL,
    apiKey: cfg.SOBOT_API_KEY,
    apiSecret: cfg.SOBOT_API_SECRET,
    timeoutMs: cfg.SOBOT_TIMEOUT_MS,
  },
  sendRate: cfg.SEND_RATE,
  concurrency: cfg.WORKER_CONCURRENCY,
  maxInFlight: cfg.WORKER_MAX_IN_FLIGHT,
  maxAttempts: cfg.MAX_ATTEMPTS,
  frequencyCapHours: cfg.FREQUENCY_CAP_HOURS,
});
log.info(
  {
    sendRate: cfg.SEND_RATE,
    inFlight: { start: cfg.WORKER_CONCURRENCY, max: cfg.WORKER_MAX_IN_FLIGHT },
    maxAttempts: cfg.MAX_ATTEMPTS,
    frequencyCapHours: cfg.FREQUENCY_CAP_HOURS ?? null,
    upstream: cfg.SOBOT_API_URL,
    pid: process.pid,
  },
  'worker started',
);

// Redis trouble must never take the worker down (a supervisor would crash-loop it): every path that can fail
// retries or hands its chunk back to BullMQ; anything that still escapes is logged, briefly, not fatal.
process.on('unhandledRejection', troubleLog(log, 'unhandled rejection (ignored)'));

onShutdown(
  log,
  async () => {
    await sender.close();
    await store.close();
  },
  SEND_POLICY.shutdownDeadlineMs,
);
