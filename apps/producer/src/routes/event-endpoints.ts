import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import {
  createEventEndpoint,
  endpointHealth,
  getEventEndpoint,
  listDeliveries,
  replayDeliveries,
  listEventEndpoints,
  removeEventEndpoint,
  rotateEndpointSecret,
  testEventEndpoint,
} from '@sobot/campaigns';
import {
  deliveryListQuerySchema,
  endpointHealthSchema,
  eventDeliveryListSchema,
  replayBodySchema,
  replayResultSchema,
  endpointTestResultSchema,
  eventEndpointBodySchema,
  eventEndpointCreatedSchema,
  eventEndpointListSchema,
  eventEndpointSchema,
  rotatedSecretSchema,
} from '@sobot/schema';
import type { AppDeps } from '../deps';
import { answer, doc, errors } from '../doc';

/** An endpoint id as handed out; anything else names no endpoint (404, SPEC §14). */
export const endpointIdParams = z.object({
  id: z.string().max(64).describe('endpoint id, as returned by POST /v1/event-endpoints'),
});

const BEARER = { 401: '`UNAUTHORIZED`: the bearer token is missing or not one of `API_KEYS`.' };
const NOT_FOUND = { 404: '`NOT_FOUND`: no event endpoint with this id.' };
const tags = { tags: ['events'] };

/** The OpenAPI description of the event endpoint routes (SPEC §16), kept next to them. */
export const eventEndpointDocs: Record<string, FastifySchema> = {
  create: {
    summary: 'Register an event endpoint (its secret is shown in this answer only)',
    description:
      'Events are POSTed signed the Standard Webhooks way (`webhook-id`, `webhook-timestamp`, `webhook-signature`: ' +
      '`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">` keyed by the base64 part of `secret`). The URL must ' +
      'resolve only to public addresses (checked now and at each delivery).',
    ...tags,
    body: doc(eventEndpointBodySchema),
    response: {
      201: answer('Registered', eventEndpointCreatedSchema),
      ...errors({
        ...BEARER,
        400:
          '`INVALID_REQUEST` (unknown event type or field), `INVALID_URL` (not http(s), or with credentials), ' +
          '`URL_NOT_PUBLIC` (the host resolves to a loopback, private or reserved address).',
      }),
    },
  },
  list: {
    summary: 'The event endpoints, oldest first (no secrets)',
    ...tags,
    response: { 200: answer('Endpoints', eventEndpointListSchema), ...errors(BEARER) },
  },
  get: {
    summary: 'One event endpoint (no secret)',
    ...tags,
    params: doc(endpointIdParams),
    response: { 200: answer('The endpoint', eventEndpointSchema), ...errors({ ...BEARER, ...NOT_FOUND }) },
  },
  remove: {
    summary: 'Remove an event endpoint (answers what it was)',
    ...tags,
    params: doc(endpointIdParams),
    response: { 200: answer('Removed', eventEndpointSchema), ...errors({ ...BEARER, ...NOT_FOUND }) },
  },
  rotate: {
    summary: 'A new signing secret; the previous one keeps signing for 24 h',
    description: 'Until `previous_secret_expires_at` every event carries two signatures, one per secret.',
    ...tags,
    params: doc(endpointIdParams),
    response: { 200: answer('Rotated', rotatedSecretSchema), ...errors({ ...BEARER, ...NOT_FOUND }) },
  },
  test: {
    summary: 'Send a signed `endpoint.test` event now and answer what the receiver said',
    description:
      'One attempt, no retry, 15 s timeout. `ok` is true for a 2xx; `error` says why no answer came ' +
      '(`timeout`, `unreachable`, or `address`: the host now resolves to an address that is not public).',
    ...tags,
    params: doc(endpointIdParams),
    response: {
      200: answer('What the receiver said', endpointTestResultSchema),
      ...errors({ ...BEARER, ...NOT_FOUND }),
    },
  },
  deliveries: {
    summary: "The endpoint's deliveries of one state: failed (newest first), pending (soonest due) or succeeded",
    description:
      'Failed deliveries spent every retry (5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h) and are kept 14 days for ' +
      '`POST …/replay`. Succeeded lists the latest 1,000.',
    ...tags,
    params: doc(endpointIdParams),
    querystring: doc(deliveryListQuerySchema),
    response: {
      200: answer('Deliveries', eventDeliveryListSchema),
      ...errors({ ...BEARER, ...NOT_FOUND, 400: '`INVALID_REQUEST`: unknown status or limit out of 1–1000.' }),
    },
  },
  replay: {
    summary: 'Send failed deliveries again: one by id, or all failed since a time',
    description:
      'They are due at once with a fresh schedule and keep their event id (`webhook-id`). The endpoint is enabled ' +
      'again if a 410 had disabled it.',
    ...tags,
    params: doc(endpointIdParams),
    body: doc(replayBodySchema),
    response: {
      200: answer('Replayed', replayResultSchema),
      ...errors({
        ...BEARER,
        404: '`NOT_FOUND`: no event endpoint with this id, or no failed delivery with this `delivery_id`.',
        400: '`INVALID_REQUEST`: give `delivery_id` or `since` (ISO 8601), one of them.',
      }),
    },
  },
  health: {
    summary: "The endpoint's health: last success, failing since, backlog, lag",
    ...tags,
    params: doc(endpointIdParams),
    response: { 200: answer('Health', endpointHealthSchema), ...errors({ ...BEARER, ...NOT_FOUND }) },
  },
};

/** SPEC §16: where outbound events go. */
export async function eventEndpointRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  // A malformed id names no endpoint: 404 like an unknown one (the store checks the form).
  const idOf = (params: unknown) => {
    const parsed = endpointIdParams.safeParse(params);
    return parsed.success ? parsed.data.id : 'ep_malformed';
  };
  const d = eventEndpointDocs;

  app.post('/v1/event-endpoints', { schema: d.create }, async (req, reply) => {
    const body = eventEndpointBodySchema.parse(req.body ?? {});
    return reply.code(201).send(await createEventEndpoint(deps, body));
  });
  app.get('/v1/event-endpoints', { schema: d.list }, async () => listEventEndpoints(deps));
  app.get('/v1/event-endpoints/:id', { schema: d.get }, async (req) => getEventEndpoint(deps, idOf(req.params)));
  app.delete('/v1/event-endpoints/:id', { schema: d.remove }, async (req) =>
    removeEventEndpoint(deps, idOf(req.params)),
  );
  app.post('/v1/event-endpoints/:id/rotate-secret', { schema: d.rotate }, async (req) =>
    rotateEndpointSecret(deps, idOf(req.params)),
  );
  app.post('/v1/event-endpoints/:id/test', { schema: d.test }, async (req) =>
    testEventEndpoint(deps, idOf(req.params)),
  );
  app.get('/v1/event-endpoints/:id/deliveries', { schema: d.deliveries }, async (req) => {
    const q = deliveryListQuerySchema.parse(req.query ?? {});
    return listDeliveries(deps, idOf(req.params), q.status, q.limit);
  });
  app.post('/v1/event-endpoints/:id/replay', { schema: d.replay }, async (req) => {
    // An unknown endpoint is 404 whatever the body says.
    const id = (await getEventEndpoint(deps, idOf(req.params))).id;
    return replayDeliveries(deps, id, replayBodySchema.parse(req.body ?? {}));
  });
  app.get('/v1/event-endpoints/:id/health', { schema: d.health }, async (req) =>
    endpointHealth(deps, idOf(req.params)),
  );
}
