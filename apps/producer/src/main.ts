import { createLogger, loadConfigOrExit, onShutdown } from '@sobot/config';
import { Store } from '@sobot/store';
import { buildApp } from './app';
import { producerConfigSchema } from './config';

async function main(): Promise<void> {
  const cfg = loadConfigOrExit(producerConfigSchema);
  const log = createLogger('producer', cfg.LOG_LEVEL);
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
  const app = await buildApp({ cfg, store }, log);
  await app.listen({ port: cfg.PORT, host: cfg.HOST });
  if (!cfg.BOARD_USER) log.info('BOARD_USER/BOARD_PASSWORD not set: Bull Board and the campaign page are not mounted');
  onShutdown(log, async () => {
    await app.close();
    await store.close();
  });
}

void main();
