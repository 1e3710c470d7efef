import type { FastifyInstance } from 'fastify';
import { sendMessages } from '@sobot/campaigns';
import { markInvalidUtf8, sendMessagesBodySchema } from '@sobot/schema';
import { NotFoundError } from '@sobot/store';
import type { AppDeps } from '../deps';
import { sendAtOption } from './send-at-option';
import { quietHoursOption } from './quiet-hours-option';
import { messageIdParams, pathId, routeDocs } from './docs';

export async function messageRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Bytes that are not UTF-8 are marked before the JSON is decoded, so that the field holding them is refused by
  // name (400) instead of reaching the upstream as U+FFFD (schema text-check.ts). Otherwise fastify's own parser.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) =>
    json(req, markInvalidUtf8(body as Buffer).toString('utf8'), done),
  );
  app.post('/v1/messages', {
    schema: routeDocs.sendMessages,
    handler: async (req, reply) => {
      const body = sendMessagesBodySchema.parse(req.body);
      const header = req.headers['idempotency-key'];
      const key = (Array.isArray(header) ? header[0] : header) ?? body.idempotency_key;
      const { idempotency_key: _key, lane: _lane, send_at: _at, quiet_hours: _quiet, senders, ...rest } = body;
      const messages = 'messages' in rest ? rest.messages : [rest];
      // SPEC §15: the call's `sender`/`senders` (a single message's `sender` is its own, in `rest`).
      const callSenders = [senders, 'messages' in rest ? rest.sender : undefined].filter((s): s is string => !!s);
      const result = await sendMessages(deps, messages, {
        idempotencyKey: key,
        validation: { defaultCountryCode: deps.cfg.DEFAULT_COUNTRY_CODE },
        lane: body.lane,
        sendAt: sendAtOption(body.send_at),
        // Transactional messages are not held by QUIET_HOURS: only a call that asks for quiet hours gets them.
        quietHours: quietHoursOption(body.quiet_hours, null),
        senders: callSenders,
      });
      return reply.code(202).send(result);
    },
  });

  app.get('/v1/messages/:id', { schema: routeDocs.getMessage }, async (req) => {
    const id = pathId(messageIdParams, req.params, 'message');
    const view = await deps.store.campaigns.message(id);
    if (!view) throw new NotFoundError(`message ${id}`);
    return view;
  });
}
