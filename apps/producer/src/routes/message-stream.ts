import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { AppDeps } from '../deps';
import { doc } from '../doc';

const listQuery = z.object({
  /** RFC 3339; default: 24 hours ago. */
  since: z.iso.datetime({ offset: true }).optional(),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional(),
});

/** Transactional traffic is a stream, not a list of campaigns (SPEC §10). */
export async function messageStreamRoutes(app: FastifyInstance, { store }: AppDeps): Promise<void> {
  app.get(
    '/v1/messages',
    {
      schema: {
        summary: 'Messages sent through the API since a time, oldest first (paged)',
        tags: ['messages'],
        querystring: doc(listQuery),
      },
    },
    async (req) => {
      const q = listQuery.parse(req.query);
      const since = q.since ? Date.parse(q.since) : Date.now() - 86_400_000;
      return store.campaigns.messages(since, q.limit, q.cursor);
    },
  );
  app.get(
    '/v1/messages/summary',
    { schema: { summary: 'API messages of the last 24 hours: sent, failed, skipped, pending', tags: ['messages'] } },
    async () => store.campaigns.messageSummary(),
  );
}
