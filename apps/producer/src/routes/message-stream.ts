import type { FastifyInstance } from 'fastify';
import type { AppDeps } from '../deps';
import { messageListQuery, routeDocs } from './docs';

/** Transactional traffic is a stream, not a list of campaigns (SPEC §10). */
export async function messageStreamRoutes(app: FastifyInstance, { store }: AppDeps): Promise<void> {
  app.get('/v1/messages', { schema: routeDocs.listMessages }, async (req) => {
    const q = messageListQuery.parse(req.query);
    const since = q.since ? Date.parse(q.since) : Date.now() - 86_400_000;
    return store.campaigns.messages(since, q.limit, q.cursor);
  });
  app.get('/v1/messages/summary', { schema: routeDocs.messageSummary }, async () => store.campaigns.messageSummary());
}
