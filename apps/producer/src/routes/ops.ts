import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { createMetrics } from '@sobot/metrics';
import { secretMatcher } from '../auth';
import type { AppDeps } from '../deps';
import { answer, contentAnswer, errors, schemas } from '../doc';
import { ApiError } from '../errors';

const open = { security: [], tags: ['operations'] };
const docs = schemas({
  healthz: {
    summary: 'Liveness: the process answers',
    ...open,
    response: { 200: answer('Alive', z.object({ ok: z.literal(true) })), ...errors({}, { store: false }) },
  },
  readyz: {
    summary: 'Readiness: Redis answers a PING within a second',
    ...open,
    response: {
      200: answer('Ready', z.object({ ok: z.literal(true), redis: z.literal('up') })),
      // Not the table's statuses: not ready is 503 whatever the reason (STORE_FULL is 507 elsewhere).
      ...errors(
        { 503: '`STORE_UNAVAILABLE`: Redis does not answer; `STORE_FULL`: it refuses writes.' },
        { store: false },
      ),
    },
  },
  metrics: {
    summary: 'Prometheus metrics (text exposition format)',
    ...open,
    response: { 200: contentAnswer('Metrics', { 'text/plain': { type: 'string' } }), ...errors({}) },
  },
});

export async function opsRoutes(app: FastifyInstance, { cfg, store }: AppDeps): Promise<void> {
  const metrics = createMetrics(store);
  app.get('/healthz', { schema: docs.healthz }, async () => ({ ok: true }));
  app.get('/readyz', { schema: docs.readyz }, async (_req, reply) => {
    const health = await store.health();
    if (health.ok) return { ok: true, redis: 'up' };
    return reply.code(503).send({ error: { code: health.code, message: health.message } });
  });
  // Metrics name campaign ids and show traffic: closed when a token is configured, open (and said so) when not.
  const token = cfg.METRICS_TOKEN;
  if (!token) app.log.warn('METRICS_TOKEN is not set: /metrics is open to anyone who can reach this port');
  const matches = token ? secretMatcher([token]) : undefined;
  app.get('/metrics', {
    schema: docs.metrics,
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
