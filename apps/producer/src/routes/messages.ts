import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { sendMessages } from '@sobot/campaigns';
import { markInvalidUtf8, messageViewSchema, sendMessagesBodySchema, sendMessagesResultSchema } from '@sobot/schema';
import { NotFoundError } from '@sobot/store';
import type { AppDeps } from '../deps';
import { schemas, answer, BEARER, doc, errors } from '../doc';
import { sendAtOption } from './send-at-option';
import { quietHoursOption } from './quiet-hours-option';
import { messageIdParams, pathId } from './ids';

const tags = ['messages'];
const docs = schemas({
  send: {
    summary: 'Send one message or {messages:[…]} (≤ 1,000, all-or-nothing validation)',
    description:
      'An `Idempotency-Key` header (or `idempotency_key` field) makes retries safe: the same key never ' +
      'enqueues twice; the same body gets the same answer (`replayed: true`), another body is a 409.',
    tags,
    headers: doc(z.object({ 'idempotency-key': z.string().min(1).max(200).optional() })),
    body: doc(sendMessagesBodySchema),
    response: {
      202: answer('Accepted: the messages are queued', sendMessagesResultSchema),
      ...errors({
        ...BEARER,
        INVALID_MESSAGES: '`details`: `[{index, field, message}]`.',
        INVALID_REQUEST: '',
        INVALID_JSON: '',
        IDEMPOTENCY_KEY_REUSED: 'the key was used with another body.',
        BODY_TOO_LARGE: 'over 10 MiB.',
        UNSUPPORTED_MEDIA_TYPE: 'the body is not `application/json`.',
      }),
    },
  },
  get: {
    summary: 'Status, wamid and delivery status of one message',
    tags,
    params: doc(messageIdParams),
    response: {
      200: answer('The message', messageViewSchema),
      ...errors({ ...BEARER, NOT_FOUND: 'no message with this id (unknown or malformed).' }),
    },
  },
});

export async function messageRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // Bytes that are not UTF-8 are marked before the JSON is decoded, so that the field holding them is refused by
  // name (400) instead of reaching the upstream as U+FFFD (schema text-check.ts). Otherwise fastify's own parser.
  const json = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (req, body, done) =>
    json(req, markInvalidUtf8(body as Buffer).toString('utf8'), done),
  );
  app.post('/v1/messages', {
    schema: docs.send,
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

  app.get('/v1/messages/:id', { schema: docs.get }, async (req) => {
    const id = pathId(messageIdParams, req.params, 'message');
    const view = await deps.store.campaigns.message(id);
    if (!view) throw new NotFoundError(`message ${id}`);
    return view;
  });
}
