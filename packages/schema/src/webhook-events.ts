import { z } from 'zod';
import { DELIVERY_STATUSES, type DeliveryStatus } from './api';

/** One delivery status event from the webhook, keyed by wamid. */
export interface DeliveryEvent {
  wamid: string;
  status: DeliveryStatus;
  /** Event time, ms. */
  at: number;
  errorCode?: string;
  errorMessage?: string;
}

/** One inbound message from a customer (SPEC §12): it opens the sender's 24-hour window. */
export interface InboundMessage {
  /** The sender, as international digits (country code first), the form uploads normalise numbers to. */
  from: string;
  /** The upstream's id of the message (Meta `messages[].id`, flat `id`): what makes a resent event a duplicate. */
  id?: string;
  /** When the customer wrote, ms. */
  at: number;
  /** Meta's message type (`text`, `image`, …); `text` for the flat form. */
  type: string;
  /** The text of a text message. */
  text?: string;
}

/** What one webhook body carries. */
export interface WebhookEvents {
  statuses: DeliveryEvent[];
  inbound: InboundMessage[];
  /** Well-formed events this product does not act on (unknown status or type, a sender that is no number). */
  ignored: number;
}

/** A webhook body in neither accepted shape. */
export class WebhookBodyError extends Error {
  readonly code = 'INVALID_WEBHOOK';
  constructor() {
    super(
      'expected Meta-style entry[].changes[].value.statuses[] / messages[], or flat {id|wamid, status} ' +
        'or {type: "message", from, text} events',
    );
    this.name = 'WebhookBodyError';
  }
}

const time = z.union([z.string(), z.number()]).optional();
const code = z.union([z.string(), z.number()]).optional();

const metaStatus = z.object({
  id: z.string(),
  status: z.string(),
  timestamp: time,
  errors: z.array(z.object({ code, title: z.string().optional(), message: z.string().optional() })).optional(),
});
const metaMessage = z.object({
  id: z.string().optional(),
  from: z.string(),
  timestamp: time,
  type: z.string().optional(),
  text: z.object({ body: z.string() }).optional(),
});
const metaBody = z.object({
  entry: z.array(
    z.object({
      changes: z.array(
        z.object({
          value: z
            .object({ statuses: z.array(metaStatus).optional(), messages: z.array(metaMessage).optional() })
            .loose(),
        }),
      ),
    }),
  ),
});
const flatStatus = z.object({
  id: z.string().optional(),
  wamid: z.string().optional(),
  status: z.string(),
  timestamp: time,
  error_code: code,
  error_message: z.string().optional(),
});
const flatMessage = z.object({
  id: z.string().optional(),
  type: z.string(),
  from: z.string().optional(),
  timestamp: time,
  text: z.union([z.string(), z.object({ body: z.string() })]).optional(),
});
const flatEvent = z.union([flatStatus, flatMessage]);

/** Event time: unix seconds or ms, or an ISO date; now when absent. */
function eventTime(ts: string | number | undefined): number {
  if (ts === undefined) return Date.now();
  const n = Number(ts);
  if (Number.isFinite(n)) return n < 1e12 ? n * 1000 : n;
  const d = Date.parse(String(ts));
  return Number.isNaN(d) ? Date.now() : d;
}

const isDelivery = (s: string): s is DeliveryStatus => (DELIVERY_STATUSES as readonly string[]).includes(s);

/** Spaces, `-`, `(`, `)` and `.` a sender may be written with. */
const SEPARATORS = /[\s\-().]/g;
/** E.164: a country code (no leading 0) and at most 15 digits in all; 7 is the shortest real number. */
const INTERNATIONAL = /^[1-9]\d{6,14}$/;

/**
 * A sender's `wa_id` / `from` (SPEC §20): always international, digits with the country code first (`6581234567`
 * is `+65 8123 4567`), never a national number of the default country. A leading `+` or `00` and separators are
 * dropped; anything else than 7–15 digits (first not 0) is no sender. The digits are kept as they are, so the
 * number is the one an upload of `+<digits>` keys.
 */
export function inboundNumber(raw: string): string | undefined {
  let digits = raw.trim().replace(SEPARATORS, '');
  if (digits.startsWith('+')) digits = digits.slice(1);
  else if (digits.startsWith('00')) digits = digits.slice(2);
  return INTERNATIONAL.test(digits) ? digits : undefined;
}

/**
 * Reads a webhook body (already JSON-parsed): Meta-style `entry[].changes[].value.statuses[]` and
 * `.messages[]`, or flat events — `{id|wamid, status}` and `{type: "message", from, timestamp, text}` (text a
 * string or `{body}`) — one, an array, or under `statuses` / `messages`. Throws WebhookBodyError for a body
 * in neither shape; well-formed events it does not act on are counted in `ignored`.
 */
export function parseWebhookEvents(body: unknown): WebhookEvents {
  const out: WebhookEvents = { statuses: [], inbound: [], ignored: 0 };
  const status = (wamid: string | undefined, raw: string, at: number, errorCode?: unknown, message?: string) => {
    const s = raw.toLowerCase();
    if (!wamid || !isDelivery(s)) {
      out.ignored += 1;
      return;
    }
    out.statuses.push({
      wamid,
      status: s,
      at,
      errorCode: errorCode === undefined ? undefined : String(errorCode),
      errorMessage: message,
    });
  };
  const inbound = (
    id: string | undefined,
    from: string | undefined,
    type: string,
    at: number,
    text: string | undefined,
  ) => {
    const number = from === undefined ? undefined : inboundNumber(from);
    if (number === undefined) {
      out.ignored += 1;
      return;
    }
    out.inbound.push({
      from: number,
      at,
      type,
      ...(id ? { id } : {}),
      ...(text === undefined ? {} : { text }),
    });
  };

  const meta = metaBody.safeParse(body);
  if (meta.success) {
    for (const entry of meta.data.entry)
      for (const change of entry.changes) {
        for (const s of change.value.statuses ?? []) {
          const e = s.errors?.[0];
          status(s.id, s.status, eventTime(s.timestamp), e?.code, e?.message ?? e?.title);
        }
        for (const m of change.value.messages ?? [])
          inbound(m.id, m.from, m.type ?? 'text', eventTime(m.timestamp), m.text?.body);
      }
    return out;
  }
  const flat = z.array(flatEvent).safeParse(flatList(body));
  if (!flat.success) throw new WebhookBodyError();
  for (const e of flat.data) {
    if ('status' in e) status(e.wamid ?? e.id, e.status, eventTime(e.timestamp), e.error_code, e.error_message);
    else if (e.type.toLowerCase() === 'message')
      inbound(e.id, e.from, 'text', eventTime(e.timestamp), typeof e.text === 'string' ? e.text : e.text?.body);
    else out.ignored += 1;
  }
  return out;
}

/** The flat forms: one event, an array, or `{statuses: […], messages: […]}` (either or both). */
function flatList(body: unknown): unknown {
  if (Array.isArray(body)) return body;
  if (body && typeof body === 'object' && !('status' in body) && !('type' in body)) {
    const { statuses, messages } = body as { statuses?: unknown; messages?: unknown };
    if (statuses === undefined && messages === undefined) return undefined;
    const list = (x: unknown) => (x === undefined ? [] : Array.isArray(x) ? x : undefined);
    const a = list(statuses);
    const b = list(messages);
    return a && b ? [...a, ...b] : undefined;
  }
  return [body];
}

/** The delivery status events of a body (see parseWebhookEvents). */
export function parseDeliveryEvents(body: unknown): DeliveryEvent[] {
  return parseWebhookEvents(body).statuses;
}
