import type { FastifyInstance } from 'fastify';
import { createMetrics } from '@sobot/metrics';
import type { AppDeps } from '../deps';

export async function opsRoutes(app: FastifyInstance, { store }: AppDeps): Promise<void> {
  const metrics = createMetrics(store);
  app.get('/healthz', { schema: { hide: true } }, async () => ({ ok: true }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) =>
    (await store.ping())
      ? { ok: true, redis: 'up' }
      : reply.code(503).send({ error: { code: 'NOT_READY', message: 'Redis is not reachable' } }),
  );
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) =>
    reply.header('content-type', metrics.contentType).send(await metrics.render()),
  );
}
