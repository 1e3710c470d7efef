import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps';
import { createMetrics } from '../metrics';
import { routeDocs } from './docs';

export async function opsRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const metrics = createMetrics(deps.ctx, deps.queue, deps.reader);
  app.get('/healthz', { schema: routeDocs.healthz }, async () => ({ ok: true }));
  app.get('/readyz', { schema: routeDocs.readyz }, async (_req, reply) => {
    const ping = await Promise.race([
      deps.ctx.redis.ping().catch(() => 'down'),
      new Promise((r) => setTimeout(() => r('timeout'), 1000)),
    ]);
    return ping === 'PONG'
      ? { ok: true, redis: 'up' }
      : reply.code(503).send({ error: { code: 'NOT_READY', message: 'Redis is not reachable' } });
  });
  app.get('/metrics', { schema: routeDocs.metrics }, async (_req, reply) =>
    reply.header('content-type', metrics.contentType).send(await metrics.render()),
  );
}
