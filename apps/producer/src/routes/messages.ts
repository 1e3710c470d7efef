import { doc } from '../doc';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sendMessages } from '@sobot/campaigns';
import { sendMessagesBodySchema } from '@sobot/schema';
import { NotFoundError } from '@sobot/store';
import type { AppDeps } from '../deps';
import { sendAtOption } from './send-at-option';

export async function messageRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  app.post('/v1/messages', {
    schema: {
      summary: 'Send one message or {messages:[…]}; an Idempotency-Key (header or field) makes retries safe',
      tags: ['messages'],
      body: doc(sendMessagesBodySchema),
    },
    handler: async (req, reply) => {
      const body = sendMessagesBodySchema.parse(req.body);
      const header = req.headers['idempotency-key'];
      const key = (Array.isArray(header) ? header[0] : header) ?? body.idempotency_key;
      const { idempotency_key: _key, lane: _lane, send_at: _at, ...rest } = body;
      const messages = 'messages' in rest ? rest.messages : [rest];
      const result = await sendMessages(deps, messages, {
        idempotencyKey: key,
        validation: { defaultCountryCode: deps.cfg.DEFAULT_COUNTRY_CODE },
        lane: body.lane,
        sendAt: sendAtOption(body.send_at),
      });
      return reply.code(202).send(result);
    },
  });

  app.get(
    '/v1/messages/:id',
    { schema: { summary: 'Status, wamid and delivery status of one message', tags: ['messages'] } },
    async (req) => {
      const { id } = z.object({ id: z.string().max(64) }).parse(req.params);
      const view = await deps.store.campaigns.message(id);
      if (!view) throw new NotFoundError(`message ${id}`);
      return view;
    },
  );
}
