import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { applyInbound, type AudienceWrites } from '@sobot/campaigns';
import { keywordMatcher, parseWebhookEvents } from '@sobot/schema';
import { secretMatcher, signatureMatcher } from '../auth';
import type { AppDeps } from '../deps';
import { ApiError } from '../errors';
import { routeDocs } from './docs';

const SIGNATURE_HEADER = 'x-hub-signature-256';

const unauthorized = () =>
  new ApiError(
    401,
    'UNAUTHORIZED',
    'webhook token or signature missing or wrong (?token=<WEBHOOK_TOKEN> or X-Hub-Signature-256)',
  );
const unreadable = () => new ApiError(400, 'BAD_REQUEST', 'the webhook body could not be read to its end');
const tooLarge = (max: number) =>
  new ApiError(413, 'BODY_TOO_LARGE', `webhook body is larger than WEBHOOK_MAX_BYTES (${max} bytes)`);

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

  app.get('/v1/webhooks/sobot', { schema: routeDocs.webhookVerify }, async (req, reply) => {
    const q = req.query as Record<string, string | undefined>;
    if (q['hub.mode'] !== 'subscribe' || !tokenOk(q['hub.verify_token']))
      throw new ApiError(403, 'FORBIDDEN', 'hub.mode must be subscribe and hub.verify_token must be WEBHOOK_TOKEN');
    const challenge = q['hub.challenge'];
    if (!challenge) throw new ApiError(400, 'INVALID_REQUEST', 'hub.challenge is required');
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

  app.post('/v1/webhooks/sobot', { schema: routeDocs.webhook, logLevel, onResponse }, async (req, reply) => {
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
      throw new ApiError(400, 'INVALID_JSON', 'the body is not JSON');
    }
    const events = parseWebhookEvents(json);
    const count = events.statuses.length + events.inbound.length + events.ignored;
    if (count > cfg.WEBHOOK_MAX_EVENTS)
      throw new ApiError(
        413,
        'TOO_MANY_EVENTS',
        `webhook body has ${count} events, more than WEBHOOK_MAX_EVENTS (${cfg.WEBHOOK_MAX_EVENTS})`,
      );
    const tally = await store.deliveries.recordMany(events.statuses);
    const [inbound] = await Promise.all([
      applyInbound(audience, events.inbound, keyword),
      // SPEC §16 message.inbound: written once per message id, in its own step (nothing while no endpoint exists).
      store.outbox.inbound(events.inbound),
    ]);
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
