import { z } from 'zod';

/** Shapes of the public HTTP API (SPEC §5), shared by the producer, the CLI and the client SDK. */

export const CAMPAIGN_STATUSES = ['scheduled', 'queued', 'running', 'paused', 'cancelled', 'completed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const RECIPIENT_STATUSES = ['pending', 'sent', 'failed', 'cancelled'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface RowError {
  /** 1-based data row (the header is not counted). */
  row: number;
  field: string;
  message: string;
}

export interface UploadResult {
  id: string;
  name: string;
  status: CampaignStatus;
  total: number;
  accepted: number;
  rejected: number;
  duplicates: number;
  errors: RowError[];
  /** True when `dry_run=true`: validated and counted, nothing stored or sent. */
  dry_run?: boolean;
}

export interface CampaignCounts {
  total: number;
  pending: number;
  sent: number;
  failed: number;
  cancelled: number;
  delivered: number;
  read: number;
  delivery_failed: number;
}

export const LANES = ['bulk', 'transactional'] as const;
export type Lane = (typeof LANES)[number];

export interface CampaignView {
  id: string;
  name: string;
  source: 'upload' | 'api';
  lane: Lane;
  /** Share of the bulk rate relative to other running campaigns. */
  weight: number;
  /** Nothing is sent before this time; null when sending starts at once. */
  send_at: string | null;
  status: CampaignStatus;
  /** Why the system (not an operator) stopped sending, when it did. */
  paused_reason: string | null;
  image_url: string | null;
  caption: string | null;
  counts: CampaignCounts;
  rows: { total: number; accepted: number; rejected: number; duplicates: number };
  /** Failures grouped by upstream (or our) error code. */
  failure_reasons: Array<{ code: string; count: number; message: string }>;
  /** Messages per second over the last few seconds. */
  rate: number;
  /** Seconds until done at the current rate; null when not sending. */
  eta_seconds: number | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
}

export interface ReportRow {
  customer_number: string;
  customer_name: string;
  status: RecipientStatus;
  wamid: string;
  error_code: string;
  error_message: string;
  attempts: number;
  updated_at: string;
  delivery_status: string;
}

export const REPORT_COLUMNS = [
  'customer_number',
  'customer_name',
  'status',
  'wamid',
  'error_code',
  'error_message',
  'attempts',
  'updated_at',
  'delivery_status',
] as const satisfies ReadonlyArray<keyof ReportRow>;

export interface MessageView {
  id: string;
  campaign_id: string;
  customer_number: string;
  status: RecipientStatus;
  wamid: string | null;
  delivery_status: DeliveryStatus | null;
  error_code: string | null;
  error_message: string | null;
  attempts: number;
  updated_at: string | null;
}

export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** One message sent through `POST /v1/messages`. `image_url` is accepted as an alias of `url`. */
export const messageInputSchema = z.object({
  customer_number: z.union([z.string(), z.number()]).transform(String),
  customer_name: z.string().optional(),
  url: z.string().optional(),
  image_url: z.string().optional(),
  mime_type: z.string().optional(),
  caption: z.string().optional(),
});
export type MessageInput = z.input<typeof messageInputSchema>;

/** Options of a whole `POST /v1/messages` call. */
const sendOptions = {
  idempotency_key: z.string().min(1).max(200).optional(),
  /** Default transactional: ahead of every bulk campaign. */
  lane: z.enum(LANES).optional(),
  /** RFC 3339 with an offset; nothing is sent before it. */
  send_at: z.string().max(40).optional(),
};

export const sendMessagesBodySchema = z.union([
  z.object({ messages: z.array(messageInputSchema).min(1).max(1000), ...sendOptions }),
  messageInputSchema.extend(sendOptions),
]);

/** One message in `GET /v1/messages`: its status, and when it was accepted. */
export interface MessageListItem extends MessageView {
  created_at: string;
}

export interface MessageList {
  messages: MessageListItem[];
  /** Pass as `cursor` for the next page; null on the last. */
  next_cursor: string | null;
}

/** Transactional traffic over the last 24 hours (SPEC §10). */
export interface MessageSummary {
  since: string;
  accepted: number;
  sent: number;
  failed: number;
  skipped: number;
  pending: number;
}

export interface SendMessagesResult {
  campaign_id: string;
  ids: string[];
  /** True when this answer replays an earlier call with the same idempotency key. */
  replayed: boolean;
}
