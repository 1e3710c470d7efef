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
