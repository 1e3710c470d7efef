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

/** A webhook body in neither accepted shape. */
export class WebhookBodyError extends Error {
  readonly code = 'INVALID_WEBHOOK';
  constructor() {
    super('expected Meta-style entry[].changes[].value.statuses[] or flat {id|wamid, status} events');
    this.name = 'WebhookBodyError';
  }
}

const metaStatus = z.object({
  id: z.string(),
  status: z.string(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  errors: z
    .array(
      z.object({
        code: z.union([z.string(), z.number()]).optional(),
        title: z.string().optional(),
        message: z.string().optional(),
      }),
    )
    .optional(),
});
const flatStatus = z.object({
  id: z.string().optional(),
  wamid: z.string().optional(),
  status: z.string(),
  timestamp: z.union([z.string(), z.number()]).optional(),
  error_code: z.union([z.string(), z.number()]).optional(),
  error_message: z.string().optional(),
});
const metaBody = z.object({
  entry: z.array(
    z.object({ changes: z.array(z.object({ value: z.object({ statuses: z.array(metaStatus).optional() }).loose() })) }),
  ),
});

/** Event time: unix seconds or ms, or an ISO date; now when absent. */
function eventTime(ts: string | number | undefined): number {
  if (ts === undefined) return Date.now();
  const n = Number(ts);
  if (Number.isFinite(n)) return n < 1e12 ? n * 1000 : n;
  const d = Date.parse(String(ts));
  return Number.isNaN(d) ? Date.now() : d;
}

const isDelivery = (s: string): s is DeliveryStatus => (DELIVERY_STATUSES as readonly string[]).includes(s);

/**
 * Accepts Meta-style `entry[].changes[].value.statuses[]` and flat `{id|wamid, status}`
 * (one, an array, or `{statuses:[…]}`).
 */
export function parseDeliveryEvents(body: unknown): DeliveryEvent[] {
  const events: DeliveryEvent[] = [];
  const meta = metaBody.safeParse(body);
  if (meta.success) {
    for (const entry of meta.data.entry)
      for (const change of entry.changes)
        for (const s of change.value.statuses ?? []) {
          const status = s.status.toLowerCase();
          if (!isDelivery(status)) continue;
          const e = s.errors?.[0];
          events.push({
            wamid: s.id,
            status,
            at: eventTime(s.timestamp),
            errorCode: e?.code === undefined ? undefined : String(e.code),
            errorMessage: e?.message ?? e?.title,
          });
        }
    return events;
  }
  const list = Array.isArray(body) ? body : ((body as { statuses?: unknown })?.statuses ?? [body]);
  const flat = z.array(flatStatus).safeParse(list);
  if (!flat.success) throw new WebhookBodyError();
  for (const s of flat.data) {
    const wamid = s.wamid ?? s.id;
    const status = s.status.toLowerCase();
    if (!wamid || !isDelivery(status)) continue;
    events.push({
      wamid,
      status,
      at: eventTime(s.timestamp),
      errorCode: s.error_code === undefined ? undefined : String(s.error_code),
      errorMessage: s.error_message,
    });
  }
  return events;
}
