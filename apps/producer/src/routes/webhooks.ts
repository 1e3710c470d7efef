import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { applyInbound, type AudienceWrites } from '@sobot/campaigns';
import { keywordMatcher, parseWebhookEvents } from '@sobot/schema';
import { secretMatcher, signatureMatcher } from '../auth';
import type { AppDeps } from '../deps';
import { answer, contentAnswer, doc, errors, schemas } from '../doc';
import { ApiError } from '../errors';

const SIGNATURE_HEADER = 'x-hub-signature-256';

const errorDetail = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  title: z.string().optional(),
  message: z.string().optional(),
});
const timestamp = z.union([z.string(), z.number()]).optional().describe('unix seconds or ms, or an ISO date');
const flatEvent = z
  .object({
    id: z.string().optional().describe('the wamid (or use `wamid`)'),
    wamid: z.string().optional(),
    status: z.string().describe('sent, delivered, read or failed; other statuses are ignored'),
    timestamp,
    error_code: z.union([z.string(), z.number()]).optional(),
    error_message: z.string().optional(),
  })
  .loose();
const metaEvent = z
  .object({ id: z.string(), status: z.string(), timestamp, errors: z.array(errorDetail).optional() })
  .loose();
const metaMessage = z
  .object({
    id: z.string().optional().describe('the message id: a message seen before (7 days) is not applied again'),
    from: z
      .string()
      .describe("the customer's number: international digits, country code first (never a national number)"),
    timestamp,
    type: z.string().optional().describe('text, image, …: any inbound message opens the window'),
    text: z.object({ body: z.string() }).optional(),
  })
  .loose();
const flatMessage = z
  .object({
    type: z.literal('message'),
    id: z.string().optional().describe('the message id: a message seen before (7 days) is not applied again'),
    from: z.string().describe('international digits, country code first (`+` / `00` allowed)'),
    timestamp,
    text: z.union([z.string(), z.object({ body: z.string() })]).optional(),
  })
  .loose();
const webhookBody = z.union([
  z
    .object({
      entry: z.array(
        z
          .object({
            changes: z.array(
              z.object({
                value: z
                  .object({ statuses: z.array(metaEvent).optional(), messages: z.array(metaMessage).optional() })
                  .loose(),
              }),
            ),
          })
          .loose(),
      ),
    })
    .loose()
    .describe('Meta style'),
  flatEvent.describe('one flat status event'),
  flatMessage.describe('one flat inbound message'),
  z.array(z.union([flatEvent, flatMessage])).describe('flat events'),
  z
    .object({ statuses: z.array(flatEvent).optional(), messages: z.array(flatMessage).optional() })
    .describe('flat events under `statuses` and `messages`'),
]);
/** What the webhook answers: events read, and what became of them. */
const webhookAnswerSchema = z.object({
  received: z.int().min(0).describe('delivery status events in the body'),
  applied: z.int().min(0).describe('events that moved a message forward'),
  stale: z.int().min(0).describe('events older than what the message already has'),
  unknown: z.int().min(0).describe('events for a wamid we do not know (acknowledged so they are not re-sent)'),
  inbound: z.int().min(0).describe("inbound messages: each opened its sender's 24-hour window"),
  opted_out: z.int().min(0).describe('senders suppressed by an opt-out keyword (`OPT_OUT_KEYWORDS`)'),
  opted_in: z
    .int()
    .min(0)
    .describe('senders whose `keyword` or `upstream` suppression an opt-in keyword lifted (`OPT_IN_KEYWORDS`)'),
  opt_in_kept: z
    .int()
    .min(0)
    .describe("of those, senders whose suppression stays: an operator's or an import's (an operator lifts it)"),
  duplicates: z.int().min(0).describe('keyword messages whose id was seen in the last 7 days: not applied again'),
  outdated: z
    .int()
    .min(0)
    .describe("keywords older than the sender's latest applied keyword, or than 7 days: they change nothing"),
  ignored: z
    .int()
    .min(0)
    .describe('well-formed events not acted on (another status or type, a sender that is no number)'),
});

const docs = schemas({
  webhook: {
    summary: 'Delivery status events (keyed by wamid) and inbound messages',
    description:
      'Authenticated by `?token=` equal to `WEBHOOK_TOKEN`, or by `X-Hub-Signature-256: sha256=<hex>` ' +
      '(HMAC-SHA256 of the raw body with `WEBHOOK_APP_SECRET`) — not by the bearer key, which the upstream ' +
      'cannot send; with neither configured it is 401 unless `WEBHOOK_OPEN=true`. The body is read as JSON ' +
      'whatever its content type. The furthest of sent < delivered | failed < read is kept, in whatever order ' +
      "events arrive. An inbound message opens its sender's 24-hour window; a text that is exactly an opt-out " +
      "keyword suppresses the sender, an opt-in keyword lifts a `keyword` or `upstream` suppression (an operator's " +
      'or an import stays). Inbound messages apply once (by id, 7 days) and in the order of their own timestamps ' +
      "per sender; a keyword older than 7 days changes nothing. A sender's number is read as international.",
    tags: ['webhooks'],
    security: [{ webhookToken: [] }, { webhookSignature: [] }],
    body: doc(webhookBody),
    response: {
      200: answer('Events recorded', webhookAnswerSchema),
      ...errors({
        INVALID_WEBHOOK: 'neither Meta-style nor flat events.',
        INVALID_JSON: '',
        UNAUTHORIZED: 'the token or the signature is missing or wrong.',
        BODY_TOO_LARGE: 'over `WEBHOOK_MAX_BYTES`.',
        TOO_MANY_EVENTS: 'over `WEBHOOK_MAX_EVENTS`.',
      }),
    },
  },
  verify: {
    summary: "Meta's webhook verification handshake",
    description: 'Answers `hub.challenge` as text/plain when `hub.verify_token` equals `WEBHOOK_TOKEN`.',
    tags: ['webhooks'],
    security: [],
    querystring: doc(
      z.object({
        'hub.mode': z.literal('subscribe'),
        'hub.verify_token': z.string().describe('`WEBHOOK_TOKEN`'),
        'hub.challenge': z.string().describe('echoed back'),
      }),
    ),
    response: {
      200: contentAnswer('The challenge', { 'text/plain': { type: 'string' } }),
      ...errors(
        {
          INVALID_REQUEST: 'no `hub.challenge`.',
          FORBIDDEN: '`hub.mode` is not subscribe or `hub.verify_token` is wrong.',
        },
        { store: false },
      ),
    },
  },
});

const unauthorized = () =>
  new ApiError(
    'UNAUTHORIZED',
    'webhook token or signature missing or wrong (?token=<WEBHOOK_TOKEN> or X-Hub-Signature-256)',
  );
const unreadable = () => new ApiError('BAD_REQUEST', 'the webhook body could not be read to its end');
const tooLarge = (max: number) =>
  new ApiError('BODY_TOO_LARGE', `webhook body is larger than WEBHOOK_MAX_BYTES (${max} bytes)`);

/**
 * The body's bytes, up to `max`: past it (or when Content-Length says so) a 413 before reading further.
 * The stream is left paused, not destroyed, so that the answer can still be written; the route closes the
 * connection after it (Connection: close), so the rest of the body is never read.
 */
function readCapped(body: Readable, max: number, declared: number): Promise<Buffer> {
  if (declared > max) return Promise.reject(tooLarge(max));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = (err?: Error) => {
      body.off('data', onData);
      body.off('end', onEnd);
      body.off('error', onError);
      body.off('close', onClose);
      if (err) {
        chunks.length = 0;
        body.pause();
        reject(err);
      } else resolve(Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > max) done(tooLarge(max));
      else chunks.push(chunk);
    };
    const onEnd = () => done();
    // A client that goes away mid-body: the handler ends at once and lets go of what it read.
    const onError = () => done(unreadable());
    const onClose = () => done(unreadable());
    body.on('data', onData);
    body.once('end', onEnd);
    body.once('error', onError);
    body.once('close', onClose);
  });
}

/** Refuses before (or while) reading the body: the connection closes with the answer, the rest is not read. */
function refuse(reply: FastifyReply, err: ApiError): never {
  void reply.header('connection', 'close');
  throw err;
}

/**
 * `POST /v1/webhooks/sobot` (SPEC §5, §12, §14): delivery statuses and inbound messages. Closed by default:
 * `?token=` equal to WEBHOOK_TOKEN (checked before the body is read) or a valid X-Hub-Signature-256 over the
 * raw body (read as bytes, capped, not parsed until the signature holds), or WEBHOOK_OPEN=true. The body is
 * JSON whatever its content type. `GET` answers Meta's verification handshake.
 */
export async function webhookRoutes(app: FastifyInstance, { cfg, store }: AppDeps): Promise<void> {
  const tokenOk = cfg.WEBHOOK_TOKEN ? secretMatcher([cfg.WEBHOOK_TOKEN]) : () => false;
  const signatureOk = cfg.WEBHOOK_APP_SECRET ? signatureMatcher(cfg.WEBHOOK_APP_SECRET) : () => false;
  const keyword = keywordMatcher(cfg.OPT_OUT_KEYWORDS, cfg.OPT_IN_KEYWORDS);
  const audience: AudienceWrites = store.audience;
  const max = cfg.WEBHOOK_MAX_BYTES;
  if (cfg.WEBHOOK_OPEN) app.log.warn('WEBHOOK_OPEN=true: the webhook takes events from anyone who can reach it');
  else if (!cfg.WEBHOOK_TOKEN && !cfg.WEBHOOK_APP_SECRET)
    app.log.warn('neither WEBHOOK_TOKEN nor WEBHOOK_APP_SECRET is set: the webhook refuses every event (401)');

  // This route reads its own bytes (Meta may send JSON as text/plain, and the signature is over the raw body).
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));

  app.get('/v1/webhooks/sobot', { schema: docs.verify }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (q['hub.mode'] !== 'subscribe' || !tokenOk(q['hub.verify_token']))
      throw new ApiError('FORBIDDEN', 'hub.mode must be subscribe and hub.verify_token must be WEBHOOK_TOKEN');
    const challenge = q['hub.challenge'];
    if (!challenge) throw new ApiError('INVALID_REQUEST', 'hub.challenge is required');
    return reply.type('text/plain; charset=utf-8').header('x-content-type-options', 'nosniff').send(challenge);
  });

  // One info line per call (a delivery flood is thousands of calls) in place of Fastify's request pair, which
  // this route logs only when the level is debug or finer. The line carries the call's tally, or its status.
  const tallies = new WeakMap<FastifyRequest, Record<string, number>>();
  const logLevel = app.log.level === 'debug' || app.log.level === 'trace' ? undefined : 'warn';
  const onResponse = async (req: FastifyRequest, reply: FastifyReply) => {
    const ms = Math.round(reply.elapsedTime);
    app.log.info({ reqId: req.id, statusCode: reply.statusCode, ms, ...tallies.get(req) }, 'webhook batch');
  };

  app.post('/v1/webhooks/sobot', { schema: docs.webhook, logLevel, onResponse }, async (req, reply) => {
    const token = (req.query as { token?: string } | undefined)?.token;
    const signature = req.headers[SIGNATURE_HEADER];
    const signed = typeof signature === 'string' && signature !== '' && cfg.WEBHOOK_APP_SECRET !== undefined;
    let authorised = cfg.WEBHOOK_OPEN;
    if (!authorised && token !== undefined) {
      if (!tokenOk(token) && !signed) refuse(reply, unauthorized());
      authorised = tokenOk(token);
    }
    if (!authorised && !signed) refuse(reply, unauthorized());

    const declared = Number(req.headers['content-length'] ?? 0);
    const stream = req.body as Readable | undefined;
    const raw = stream ? await readCapped(stream, max, declared).catch((err: ApiError) => refuse(reply, err)) : null;
    if (!authorised && !signatureOk(raw ?? Buffer.alloc(0), signature as string)) refuse(reply, unauthorized());

    let json: unknown;
    try {
      json = JSON.parse((raw ?? Buffer.alloc(0)).toString('utf8'));
    } catch {
      throw new ApiError('INVALID_JSON', 'the body is not JSON');
    }
    const events = parseWebhookEvents(json);
    const count = events.statuses.length + events.inbound.length + events.ignored;
    if (count > cfg.WEBHOOK_MAX_EVENTS)
      throw new ApiError(
        'TOO_MANY_EVENTS',
        `webhook body has ${count} events, more than WEBHOOK_MAX_EVENTS (${cfg.WEBHOOK_MAX_EVENTS})`,
      );
    const tally = await store.deliveries.recordMany(events.statuses);
    const inbound = await applyInbound(audience, events.inbound, keyword);
    const answer = {
      received: events.statuses.length,
      ...tally,
      inbound: events.inbound.length,
      ...inbound,
      ignored: events.ignored,
    };
    tallies.set(req, answer);
    return answer;
  });
}
