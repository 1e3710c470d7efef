import { setTimeout as sleep } from 'node:timers/promises';
import fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { z } from 'zod';
import { faultsPatchSchema } from './faults';
import { SAMPLE_IMAGES } from './images';
import { inboundRequestSchema, postInbound } from './inbound';
import { webhookOptionsSchema } from './webhook';
import type { MessageApi } from './message-api';

const JSON_TYPE = 'application/json; charset=utf-8';

/** The sandbox's HTTP face: the message endpoint, the control endpoints, the sample images. */
export function buildServer(api: MessageApi): FastifyInstance {
  // Hanging requests never end on their own: close() must cut every connection, not wait for them.
  const app = fastify({ logger: false, forceCloseConnections: true });

  // The reference's PHP example posts its JSON without a content-type, so any body is taken as text
  // and parsed by the handlers, which also lets a bad body get the API's own 400 shape.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  const message = async (req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply | undefined> => {
    const d = api.decide(Date.now(), req.headers['x-api-key'], req.headers['x-api-secret'], text(req.body));
    if (d.kind === 'hang') {
      reply.hijack();
      return undefined;
    }
    api.stats.enter();
    try {
      if (d.delayMs > 0) await sleep(d.delayMs);
    } finally {
      api.stats.leave();
    }
    if (d.kind === 'reset') {
      reply.hijack();
      req.raw.socket.resetAndDestroy();
      return undefined;
    }
    reply.code(d.answer.status).header('content-type', JSON_TYPE);
    if (d.retryAfterSeconds !== undefined) reply.header('retry-after', String(d.retryAfterSeconds));
    // send() writes synchronously; awaiting the reply would wait for the socket to drain.
    reply.send(d.answer.body);
    if (d.accepted) api.sent(d.accepted);
    return reply;
  };
  app.post('/message/', message);
  app.post('/message', message);

  app.get('/_sandbox/health', async () => ({ ok: true }));

  app.get<{ Querystring: { received?: string; summary?: string } }>('/_sandbox/stats', async (req) => {
    const { stats } = api;
    if (req.query.summary === '1') return stats.summary();
    if (req.query.received === '1') return stats.snapshot();
    return { ...stats.summary(), ...stats.perNumber() };
  });

  app.post('/_sandbox/faults', async (req, reply) => {
    const patch = parseBody(faultsPatchSchema, text(req.body) || '{}');
    if (!patch.ok) return reply.code(400).send({ code: 400, message: patch.message });
    return { faults: api.setFaults(patch.data) };
  });

  app.post('/_sandbox/webhook', async (req, reply) => {
    const options = parseBody(webhookOptionsSchema, text(req.body));
    if (!options.ok) return reply.code(400).send({ code: 400, message: options.message });
    api.setWebhook(options.data);
    return { ok: true };
  });

  app.delete('/_sandbox/webhook', async () => {
    api.setWebhook(undefined);
    return { ok: true };
  });

  // Answers 200 with what the receiver answered, whatever its status: the control call itself worked.
  app.post('/_sandbox/inbound', async (req, reply) => {
    const request = parseBody(inboundRequestSchema, text(req.body));
    if (!request.ok) return reply.code(400).send({ code: 400, message: request.message });
    const { webhook } = api;
    if (!webhook) {
      const message = 'no webhook to post to: set SANDBOX_WEBHOOK_URL or POST /_sandbox/webhook';
      return reply.code(409).send({ code: 409, message });
    }
    try {
      const { id, answer } = await postInbound(webhook, request.data);
      return { id, status: answer.status, body: answer.body };
    } catch (err) {
      return reply.code(502).send({ code: 502, message: `the webhook did not answer: ${failure(err)}` });
    }
  });

  app.post('/_sandbox/reset', async () => {
    api.reset();
    return { ok: true, faults: api.faults };
  });

  // GET routes answer HEAD too (fastify's exposeHeadRoutes), with the same content-length.
  app.get<{ Params: { name: string } }>('/images/:name', async (req, reply) => {
    const image = SAMPLE_IMAGES[req.params.name];
    if (!image) return reply.code(404).send({ code: 404, message: `no image ${req.params.name}` });
    return reply.header('content-type', image.type).header('content-length', image.bytes.length).send(image.bytes);
  });

  app.setNotFoundHandler((req, reply) => {
    void reply.code(404).send({ code: 404, message: `no route ${req.method} ${req.url}` });
  });
  app.setErrorHandler((err: { statusCode?: number; message: string }, _req, reply) => {
    const status = err.statusCode && err.statusCode >= 400 ? err.statusCode : 500;
    void reply.code(status).send({ code: status, message: err.message });
  });
  return app;
}

function text(body: unknown): string {
  return typeof body === 'string' ? body : '';
}

type Parsed<T> = { ok: true; data: T } | { ok: false; message: string };

/** A JSON body checked against `schema`; a failure names each bad field. */
function parseBody<S extends z.ZodType>(schema: S, raw: string): Parsed<z.output<S>> {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, message: 'body must be JSON' };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, data: parsed.data };
  const message = parsed.error.issues.map((i) => `${i.path.join('.') || 'body'}: ${i.message}`).join('; ');
  return { ok: false, message };
}

const fetchFailure = z.object({
  name: z.string(),
  cause: z.object({ code: z.string() }).optional().catch(undefined),
});

/** Why a post failed, without the URL (it may carry a token). Duck-typed: fetch's errors come from Node's realm. */
function failure(err: unknown): string {
  const parsed = fetchFailure.safeParse(err);
  if (!parsed.success) return 'unknown error';
  const { name, cause } = parsed.data;
  if (cause) return cause.code;
  return name === 'TimeoutError' ? 'no answer within 5 s' : name;
}
