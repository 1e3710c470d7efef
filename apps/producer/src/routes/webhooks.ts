import type { FastifyInstance } from 'fastify';
import { parseDeliveryEvents } from '@sobot/schema';
import { secretMatcher } from '../auth';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { routeDocs } from './docs';

export async function webhookRoutes(app: FastifyInstance, { cfg, store }: AppDeps): Promise<void> {
  const tokenOk = cfg.WEBHOOK_TOKEN ? secretMatcher([cfg.WEBHOOK_TOKEN]) : () => true;
  app.post(
    '/v1/webhooks/sobot',
    {
      schema: routeDocs.webhook,
    },
    async (req) => {
      const token = (req.query as { token?: string } | undefined)?.token;
      if (!tokenOk(token)) throw new ApiError(401, 'UNAUTHORIZED', 'webhook token missing or wrong (?token=)');
      const events = parseDeliveryEvents(req.body);
      const tally = { received: events.length, applied: 0, stale: 0, unknown: 0 };
      for (const e of events) tally[await store.deliveries.record(e)] += 1;
      return tally;
    },
  );
}
