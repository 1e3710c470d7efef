import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DAY_MS, messageListSchema, messageSummarySchema } from '@sobot/schema';
import type { AppDeps } from '../deps';
import { schemas, answer, BEARER, doc, errors } from '../doc';

const messageListQuery = z.object({
  since: z.iso.datetime({ offset: true }).optional().describe('RFC 3339; default: 24 hours ago'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional().describe('`next_cursor` of the previous page'),
});

const tags = ['messages'];
const docs = schemas({
  list: {
    summary: 'Messages sent through the API since a time, oldest first (paged)',
    tags,
    querystring: doc(messageListQuery),
    response: {
      200: answer('The messages', messageListSchema),
      ...errors({ ...BEARER, INVALID_REQUEST: '`since`, `limit` or `cursor` is not valid.' }),
    },
  },
  summary: {
    summary: 'API messages of the last 24 hours: accepted, sent, failed, skipped, pending',
    tags,
    response: { 200: answer('The summary', messageSummarySchema), ...errors(BEARER) },
  },
});

/** Transactional traffic is a stream, not a list of campaigns (SPEC §10). */
export async function messageStreamRoutes(app: FastifyInstance, { store }: AppDeps): Promise<void> {
  app.get('/v1/messages', { schema: docs.list }, async (req) => {
    const q = messageListQuery.parse(req.query);
    const since = q.since ? Date.parse(q.since) : Date.now() - DAY_MS;
    return store.campaigns.messages(since, q.limit, q.cursor);
  });
  app.get('/v1/messages/summary', { schema: docs.summary }, async () => store.campaigns.messageSummary());
}
