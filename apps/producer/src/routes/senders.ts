import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import { senderListSchema, senderViewSchema } from '@sobot/schema';
import { NotFoundError } from '@sobot/store';
import type { AppDeps } from '../deps';
import { answer, doc, errors } from '../doc';

/** The messaging limit's rolling window (SPEC §15). */
const WINDOW_MS = 24 * 3_600_000;

export const senderIdParams = z.object({ id: z.string().max(64).describe('sender id, as in SENDERS') });

const BEARER = { 401: '`UNAUTHORIZED`: the bearer token is missing or not one of `API_KEYS`.' };
const tags = { tags: ['senders'] };

/** The OpenAPI description of the sender routes (SPEC §15), kept next to them. */
export const senderDocs: Record<string, FastifySchema> = {
  list: {
    summary: 'The senders (Sobot accounts), their state and their portfolios’ 24 h messaging budget',
    description:
      'Key pairs are never shown. A sender the upstream refused (401/403, 368, 131031, 131042) is `paused` with ' +
      'the reason until resumed; 131048 halves its rate for 10 minutes (`slowed_until`).',
    ...tags,
    response: { 200: answer('Senders', senderListSchema), ...errors(BEARER) },
  },
  resume: {
    summary: 'Resume a paused sender (and the campaigns paused NO_ACTIVE_SENDER)',
    ...tags,
    params: doc(senderIdParams),
    response: {
      200: answer('The sender', senderViewSchema),
      ...errors({ ...BEARER, 404: '`NOT_FOUND`: no sender with this id.' }),
    },
  },
};

/** SPEC §15: GET /v1/senders, POST /v1/senders/:id/resume. */
export async function senderRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { senders } = deps.store;
  app.get('/v1/senders', { schema: senderDocs.list }, async () => senders.overview(WINDOW_MS));
  app.post('/v1/senders/:id/resume', { schema: senderDocs.resume }, async (req) => {
    const parsed = senderIdParams.safeParse(req.params);
    const id = parsed.success ? parsed.data.id : '';
    if (!id || !(await senders.known(id))) throw new NotFoundError(`sender ${parsed.success ? parsed.data.id : ''}`);
    if (await senders.resume(id)) {
      // Campaigns that paused for want of an active sender go on (a resume that fails leaves them for the operator).
      for (const campaign of await senders.takeBlockedCampaigns())
        await deps.store.control.resume(campaign).catch(() => undefined);
    }
    return (await senders.overview(WINDOW_MS)).senders.find((s) => s.id === id)!;
  });
}
