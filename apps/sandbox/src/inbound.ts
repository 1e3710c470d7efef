import { z } from 'zod';
import { flatInboundEvent, inboundEvent } from './events';
import { newWamid } from './wamid';
import type { WebhookAnswer, WebhookNotifier } from './webhook';

const SECONDS = 'must be unix seconds (a whole number) or an RFC 3339 date-time with an offset';

/** The body of `POST /_sandbox/inbound`. */
export const inboundRequestSchema = z.strictObject({
  /** The customer's number, as Meta writes it: digits only. */
  from: z.string().regex(/^\d{8,15}$/, 'must be 8 to 15 digits'),
  text: z.string().min(1, 'must not be empty').max(4096, 'must be at most 4096 characters'),
  /** When the customer wrote; default now. Past times let tests open a window that has already closed. */
  timestamp: z
    .union([
      z.number({ error: SECONDS }).int(SECONDS).min(0, SECONDS),
      z.string().regex(/^\d+$/, SECONDS).transform(Number),
      z.iso
        .datetime({ offset: true, error: SECONDS })
        .transform((s) => Math.floor(Date.parse(s) / 1000))
        .pipe(z.number().min(0, SECONDS)),
    ])
    .optional(),
  /** Post the flat `{type:"message", from, timestamp, text}` form instead of Meta's. */
  flat: z.boolean().optional(),
  /** The sender's profile name (Meta form only). */
  name: z.string().optional(),
});

/** As a caller writes it (timestamp as seconds or a date). */
export type InboundRequest = z.input<typeof inboundRequestSchema>;
type CheckedInbound = z.output<typeof inboundRequestSchema>;

export interface InboundResult {
  /** The inbound message's id. */
  id: string;
  /** What the webhook receiver answered. */
  answer: WebhookAnswer;
}

/** Posts one inbound text message to the webhook and returns what the receiver answered. */
export async function postInbound(webhook: WebhookNotifier, request: CheckedInbound): Promise<InboundResult> {
  const message = {
    from: request.from,
    text: request.text,
    timestamp: request.timestamp ?? Math.floor(Date.now() / 1000),
    id: newWamid(request.from),
    name: request.name,
  };
  const answer = await webhook.post(request.flat ? flatInboundEvent(message) : inboundEvent(message));
  return { id: message.id, answer };
}
