// The dispatcher alone: the package's index would bundle the upload readers (exceljs, csv…) into the worker.
import { EventDispatcher } from '@sobot/campaigns/src/events/dispatcher';
import { createLogger, loadConfigOrExit, loadSendersOrExit, logDestination, onShutdown } from '@sobot/config';
import { SEND_POLICY } from '@sobot/schema';
import { startSendWorker, troubleLog } from '@sobot/sending';
import { Store } from '@sobot/store';
import { workerConfigSchema } from './config';

const cfg = loadConfigOrExit(workerConfigSchema);
// SENDERS / SENDERS_FILE / PORTFOLIOS, or SOBOT_API_KEY alone as one sender `default` (SPEC §15).
const accounts = loadSendersOrExit(process.env, cfg.SEND_RATE);
const first = accounts.senders[0]!;
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
    apiKey: first.credentials.apiKey,
    apiSecret: first.credentials.apiSecret,
    timeoutMs: cfg.SOBOT_TIMEOUT_MS,
  },
  sendRate: cfg.SEND_RATE,
  concurrency: cfg.WORKER_CONCURRENCY,
  maxInFlight: cfg.WORKER_MAX_IN_FLIGHT,
  maxAttempts: cfg.MAX_ATTEMPTS,
  frequencyCapHours: cfg.FREQUENCY_CAP_HOURS,
  senders: {
    setups: accounts.senders.map((a) => ({
      info: { id: a.id, rate: a.rate, portfolio: a.portfolio, numbers: a.numbers },
      credentials: a.credentials,
    })),
    limits: Object.fromEntries(Object.entries(accounts.portfolios).map(([p, v]) => [p, v.messaging_limit])),
    single: accounts.single,
  },
  pairIntervalMs: cfg.PAIR_INTERVAL_MS,
});
// SPEC §16: outbound events are delivered by every worker (decisions.md: a pump and a loop per endpoint).
const events = new EventDispatcher(store, log.child({ part: 'events' }), {
  allowPrivateUrls: cfg.ALLOW_PRIVATE_URLS,
  policy: {
    concurrency: cfg.EVENT_CONCURRENCY,
    timeoutMs: cfg.EVENT_TIMEOUT_MS,
    leaseMs: 2 * cfg.EVENT_TIMEOUT_MS,
    ...(cfg.EVENT_RETRY_SCHEDULE_MS ? { scheduleMs: cfg.EVENT_RETRY_SCHEDULE_MS } : {}),
  },
}).start();
log.info(
  {
    sendRate: cfg.SEND_RATE,
    inFlight: { start: cfg.WORKER_CONCURRENCY, max: cfg.WORKER_MAX_IN_FLIGHT },
    maxAttempts: cfg.MAX_ATTEMPTS,
    frequencyCapHours: cfg.FREQUENCY_CAP_HOURS ?? null,
    upstream: cfg.SOBOT_API_URL,
    // Ids, rates and portfolios only: the key pairs are never logged.
    senders: accounts.senders.map((a) => ({ id: a.id, rate: a.rate, portfolio: a.portfolio })),
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
    await Promise.all([sender.close(), events.close()]);
    await store.close();
  },
  SEND_POLICY.shutdownDeadlineMs,
);
