import { z } from 'zod';

/** Shapes of the public HTTP API (SPEC §5), shared by the producer, the CLI and the client SDK. */

export const CAMPAIGN_STATUSES = ['queued', 'running', 'paused', 'cancelled', 'completed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const RECIPIENT_STATUSES = ['pending', 'sent', 'failed', 'cancelled'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface RowError {
  /** 1-based data row (the header is not counted). */
  row: number;
  /**
   * The line a spreadsheet shows for the row (header = line 1; JSON: docs/decisions.md). Set on every error of an
   * upload; absent only in rejected rows stored before it existed.
   */
  line?: number;
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
  /** The header each field was read from; null when the file has no such column. */
  columns?: Record<'customer_number' | 'customer_name' | 'url' | 'mime_type' | 'caption', string | null>;
  /** With `dry_run=true`: the first 5 valid messages as they would be sent (captions rendered). */
  preview?: Array<{ customer_number: string; customer_name: string; url: string; mime_type: string; caption?: string }>;
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

export interface CampaignView {
  id: string;
  name: string;
  source: 'upload' | 'api';
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
  /** Values for `{{name}}` variables in the caption. */
  variables: z.record(z.string(), z.union([z.string(), z.number()]).transform(String)).optional(),
});
export type MessageInput = z.input<typeof messageInputSchema>;

export const sendMessagesBodySchema = z.union([
  z.object({
    messages: z.array(messageInputSchema).min(1).max(1000),
    idempotency_key: z.string().min(1).max(200).optional(),
  }),
  messageInputSchema.extend({ idempotency_key: z.string().min(1).max(200).optional() }),
]);

export interface SendMessagesResult {
  campaign_id: string;
  ids: string[];
  /** True when this answer replays an earlier call with the same idempotency key. */
  replayed: boolean;
}
