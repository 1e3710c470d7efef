import { createLogger, loadConfigOrExit, onShutdown } from '@sobot/config';
import { CampaignControl, CampaignReader, createSendQueue, openConnections } from '@sobot/store';
import { buildApp } from './app';
import { producerConfigSchema } from './config';

async function main(): Promise<void> {
  const cfg = loadConfigOrExit(producerConfigSchema);
  const log = createLogger('producer', cfg.LOG_LEVEL);
  const conn = openConnections(cfg, log, { failFast: true });
  const { ctx } = conn;
  const queue = createSendQueue(conn.bull, ctx.keys);
  // Without a listener BullMQ prints connection errors as raw stack dumps: keep them in the JSON log.
  queue.on('error', (err) => log.warn({ err: err.message }, 'send queue: redis connection problem'));
  const ttl = cfg.RESULT_TTL_DAYS * 86_400;
  const app = await buildApp(
    { cfg, ctx, queue, reader: new CampaignReader(ctx), control: new CampaignControl(ctx, queue, ttl) },
    log,
  );
  await app.listen({ port: cfg.PORT, host: cfg.HOST });
  if (!cfg.BOARD_USER) log.info('BOARD_USER/BOARD_PASSWORD not set: Bull Board and the campaign page are not mounted');
  onShutdown(log, async () => {
    await app.close();
    await queue.close();
    await conn.close();
  });
}

void main();
