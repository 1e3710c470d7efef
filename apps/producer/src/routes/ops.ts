import type { FastifyInstance } from 'fastify';
import { createMetrics } from '@sobot/metrics';
import type { AppDeps } from '../deps';
import { routeDocs } from './docs';

export async function opsRoutes(app: FastifyInstance, { store }: AppDeps): Promise<void> {
  const metrics = createMetrics(store);
  app.get('/healthz', { schema: routeDocs.healthz }, async () => ({ ok: true }));
  app.get('/readyz', { schema: routeDocs.readyz }, async (_req, reply) => {
    const health = await store.health();
    if (health.ok) return { ok: true, redis: 'up' };
    return reply.code(503).send({ error: { code: health.code, message: health.message } });
  });
  app.get('/metrics', { schema: routeDocs.metrics }, async (_req, reply) =>
    reply.header('content-type', metrics.contentType).send(await metrics.render()),
  );
}
