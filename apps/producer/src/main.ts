import { createLogger, loadConfigOrExit, logDestination, onShutdown } from '@sobot/config';
import { sweepUploadTempDirs } from '@sobot/ingest';
import { Store } from '@sobot/store';
import { buildApp } from './app';
import { producerConfigSchema } from './config';

async function main(): Promise<void> {
  const cfg = loadConfigOrExit(producerConfigSchema);
  const log = createLogger('producer', cfg.LOG_LEVEL, {}, logDestination(cfg.LOG_FORMAT));
  const store = Store.open(
    {
      url: cfg.REDIS_URL,
      cluster: cfg.REDIS_CLUSTER,
      prefix: cfg.REDIS_PREFIX,
      resultTtlDays: cfg.RESULT_TTL_DAYS,
      failFast: true,
    },
    log,
  );
  // What uploads of a producer that died left behind (kill -9) goes now and every minute, not in 6 hours.
  const sweep = () =>
    store.sweepDeadUploads().then(
      (n) => n > 0 && log.info({ uploads: n }, 'removed what dead uploads left behind'),
      () => undefined,
    );
  void sweep();
  // Temp files of uploads a killed producer was reading (SPEC §22: none outlives its request).
  void sweepUploadTempDirs().then(
    (n) => n > 0 && log.info({ dirs: n }, 'removed temp files of uploads cut off by a restart'),
    () => undefined,
  );
  const sweeper = setInterval(sweep, 60_000);
  sweeper.unref();
  const app = await buildApp({ cfg, store }, log);
  await app.listen({ port: cfg.PORT, host: cfg.HOST });
  if (!cfg.BOARD_USER) log.info('BOARD_USER/BOARD_PASSWORD not set: Bull Board and the campaign page are not mounted');
  onShutdown(log, async () => {
    clearInterval(sweeper);
    await app.close();
    await store.close();
  });
}

void main();
