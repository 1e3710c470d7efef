import { statusError, type UpstreamCode } from './upstream-errors';

/** Status events a message can get; 'failed' carries Meta's `errors[]`. */
export type WebhookStatus = 'sent' | 'delivered' | 'read' | 'failed';

/** An inbound text message from a customer, as the control endpoint takes it. */
export interface InboundMessage {
  from: string;
  text: string;
  /** Unix seconds. */
  timestamp: number;
  /** The message id (a wamid). */
  id: string;
  /** The sender's profile name in Meta's `contacts[]`. */
  name?: string;
}

/** Meta's webhook envelope around one change of the `messages` field. */
function envelope(value: object): object {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: 'sandbox', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', ...value } }] }],
  };
}

/**
 * The Meta Cloud API status callback the provider forwards for one message; a `failed` status carries
 * `errors: [{code, title, message, error_data: {details}, href}]` as Meta sends it.
 */
export function statusEvent(
  wamid: string,
  number: string,
  status: WebhookStatus,
  at = Date.now(),
  failCode?: UpstreamCode,
): object {
  const timestamp = String(Math.floor(at / 1000));
  const entry =
    status === 'failed' && failCode !== undefined
      ? { id: wamid, status, timestamp, recipient_id: number, errors: [statusError(failCode)] }
      : { id: wamid, status, timestamp, recipient_id: number };
  return envelope({ statuses: [entry] });
}

/** Meta's inbound message callback: `entry[].changes[].value.messages[]` with the sender in `contacts[]`. */
export function inboundEvent(message: InboundMessage): object {
  return envelope({
    metadata: { display_phone_number: '15550000000', phone_number_id: 'sandbox' },
    contacts: [{ profile: { name: message.name ?? message.from }, wa_id: message.from }],
    messages: [
      {
        from: message.from,
        id: message.id,
        timestamp: String(message.timestamp),
        type: 'text',
        text: { body: message.text },
      },
    ],
  });
}

/** The flat inbound form the webhook also takes (SPEC §12). */
export function flatInboundEvent(message: InboundMessage): object {
  return { type: 'message', from: message.from, timestamp: String(message.timestamp), text: message.text };
}
