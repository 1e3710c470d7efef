import type { FastifyInstance } from 'fastify';
import { createMetrics } from '@sobot/metrics';
import { secretMatcher } from '../auth';
import type { AppDeps } from '../deps';
import { routeDocs } from './docs';
import { ApiError } from '../errors';

export async function opsRoutes(app: FastifyInstance, { cfg, store }: AppDeps): Promise<void> {
  const metrics = createMetrics(store);
  app.get('/healthz', { schema: routeDocs.healthz }, async () => ({ ok: true }));
  app.get('/readyz', { schema: routeDocs.readyz }, async (_req, reply) => {
    const health = await store.health();
    if (health.ok) return { ok: true, redis: 'up' };
    return reply.code(503).send({ error: { code: health.code, message: health.message } });
  });
  // Metrics name campaign ids and show traffic: closed when a token is configured, open (and said so) when not.
  const token = cfg.METRICS_TOKEN;
  if (!token) app.log.warn('METRICS_TOKEN is not set: /metrics is open to anyone who can reach this port');
  const matches = token ? secretMatcher([token]) : undefined;
  app.get('/metrics', {
    schema: routeDocs.metrics,
    onRequest: async (req) => {
      if (!matches) return;
      const header = req.headers.authorization ?? '';
      if (!matches(header.startsWith('Bearer ') ? header.slice(7).trim() : undefined)) {
        throw new ApiError('UNAUTHORIZED', 'missing or invalid bearer token (Authorization: Bearer <METRICS_TOKEN>)');
      }
    },
    handler: async (_req, reply) => reply.header('content-type', metrics.contentType).send(await metrics.render()),
  });
}
