import { z } from 'zod';
import { CAMPAIGN_ID_PATTERN } from './ids';

/** SPEC §16: the outbound event types an endpoint may subscribe to. */
export const EVENT_TYPES = [
  'message.sent',
  'message.failed',
  'message.skipped',
  'message.delivered',
  'message.read',
  'message.inbound',
  'campaign.completed',
  'campaign.paused',
  'sender.paused',
] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** The type of the event `POST /v1/event-endpoints/:id/test` sends (never subscribed to, always sent). */
export const TEST_EVENT_TYPE = 'endpoint.test';

/** `POST /v1/event-endpoints`. */
export const eventEndpointBodySchema = z
  .object({
    url: z.string().trim().min(1).max(2_000).describe('an http(s) URL reachable on a public address (SPEC §14)'),
    events: z
      .array(z.enum(EVENT_TYPES))
      .min(1)
      .max(EVENT_TYPES.length)
      .optional()
      .describe('the event types sent to this endpoint; absent: all of them'),
    campaign_id: z.string().regex(CAMPAIGN_ID_PATTERN).optional().describe("only this campaign's events"),
    description: z.string().trim().max(200).optional(),
  })
  .strict();
export type EventEndpointBody = z.output<typeof eventEndpointBodySchema>;

/** An endpoint as listed: never its secret. */
export const eventEndpointSchema = z.object({
  id: z.string(),
  url: z.string(),
  events: z.array(z.enum(EVENT_TYPES)).describe('subscribed types (all of them when created without `events`)'),
  campaign_id: z.string().nullable(),
  description: z.string().nullable(),
  created_at: z.string().describe('ISO 8601'),
});
export type EventEndpointView = z.output<typeof eventEndpointSchema>;

/** The answer of a creation or a rotation: the only time the secret is shown. */
export const eventEndpointCreatedSchema = eventEndpointSchema.extend({
  secret: z.string().describe('`whsec_…`: shown only in this answer; keep it to verify events'),
});
export type EventEndpointCreated = z.output<typeof eventEndpointCreatedSchema>;

export const eventEndpointListSchema = z.object({ endpoints: z.array(eventEndpointSchema) });

/** `POST …/:id/rotate-secret`: the new secret, and until when the previous one still signs. */
export const rotatedSecretSchema = z.object({
  id: z.string(),
  secret: z.string().describe('the new `whsec_…` secret, shown only here'),
  previous_secret_expires_at: z.string().describe('ISO 8601: events are signed with both secrets until then'),
});

/** `POST …/:id/test`: what the receiver said. */
export const endpointTestResultSchema = z.object({
  event_id: z.string().describe('the `webhook-id` sent'),
  ok: z.boolean().describe('the receiver answered 2xx'),
  status: z.number().int().nullable().describe('its HTTP status; null when no answer came'),
  error: z
    .enum(['timeout', 'unreachable', 'address'])
    .nullable()
    .describe('why no answer came: 15 s passed, the connection failed, or the address is not public'),
  duration_ms: z.number().int(),
});
export type EndpointTestResult = z.output<typeof endpointTestResultSchema>;

/** A delivery's state (SPEC §16): waiting or being retried, 2xx received, or every retry spent. */
export const DELIVERY_STATES = ['pending', 'succeeded', 'failed'] as const;

/** `GET /v1/event-endpoints/:id/deliveries`. */
export const deliveryListQuerySchema = z
  .object({
    status: z.enum(DELIVERY_STATES).default('failed').describe('which deliveries (default failed)'),
    limit: z.coerce.number().int().min(1).max(1_000).default(100),
  })
  .strict();

export const eventDeliverySchema = z.object({
  id: z.string().describe('the event id (`webhook-id`): the same on every attempt and replay'),
  type: z.string(),
  status: z.enum(DELIVERY_STATES),
  attempts: z.number().int().describe('requests made so far'),
  created_at: z.string().describe('ISO 8601: when the change it reports happened'),
  at: z.string().describe('ISO 8601: pending: next attempt due; succeeded / failed: when that happened'),
  last_status: z.number().int().nullable().describe("the receiver's last HTTP status; null when none came"),
  last_error: z.string().nullable().describe('timeout, unreachable, address or expired (the campaign is gone)'),
});
export type EventDelivery = z.output<typeof eventDeliverySchema>;

export const eventDeliveryListSchema = z.object({ deliveries: z.array(eventDeliverySchema) });

/** `POST /v1/event-endpoints/:id/replay`: one failed delivery, or every one failed since a time. */
export const replayBodySchema = z
  .object({
    delivery_id: z.string().max(100).optional().describe('the event id of one failed delivery'),
    since: z.iso.datetime({ offset: true }).optional().describe('ISO 8601: every delivery that failed since then'),
  })
  .strict()
  .refine((b) => (b.delivery_id === undefined) !== (b.since === undefined), {
    message: 'give delivery_id or since (one of them)',
  });
export type ReplayBody = z.output<typeof replayBodySchema>;

export const replayResultSchema = z.object({
  replayed: z.number().int().describe('deliveries put back in the queue, due now (the endpoint is enabled again)'),
});

/** `GET /v1/event-endpoints/:id/health`: what the page shows per endpoint. */
export const endpointHealthSchema = z.object({
  id: z.string(),
  disabled_at: z.string().nullable().describe('ISO 8601: a 410 disabled it; a replay enables it again'),
  last_success_at: z.string().nullable(),
  failing_since: z.string().nullable().describe('ISO 8601: first failure since the last success'),
  last_status: z.number().int().nullable(),
  last_error: z.string().nullable(),
  backlog: z.number().int().describe('deliveries pending (due or waiting for a retry)'),
  lag_ms: z.number().int().describe('age of the oldest pending event'),
  succeeded: z.number().int(),
  retried: z.number().int(),
  failed: z.number().int().describe('deliveries that spent every retry (ever)'),
  failed_kept: z.number().int().describe('failed deliveries kept (14 days) for a replay'),
});
export type EndpointHealthView = z.output<typeof endpointHealthSchema>;
