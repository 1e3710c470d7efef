import { z } from 'zod';

/**
 * Shapes of the public HTTP API (SPEC §5), shared by the producer, the CLI and the client SDK. Each
 * response shape is a zod schema (the producer documents it in its OpenAPI document, tests check real
 * answers against it) and its TypeScript type is inferred from it: importing only the types costs the
 * SDK no zod at run time.
 */

export const CAMPAIGN_STATUSES = ['scheduled', 'queued', 'running', 'paused', 'cancelled', 'completed'] as const;
export type CampaignStatus = (typeof CAMPAIGN_STATUSES)[number];

export const RECIPIENT_STATUSES = ['pending', 'sent', 'failed', 'skipped', 'cancelled'] as const;
export type RecipientStatus = (typeof RECIPIENT_STATUSES)[number];

export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

const count = z.int().min(0);
const isoTime = z.iso.datetime();

export const rowErrorSchema = z.object({
  row: z.int().min(1).describe('1-based data row (the header is not counted)'),
  line: z
    .int()
    .min(1)
    .optional()
    .describe(
      'the line a spreadsheet shows for the row (header = line 1); absent only in rows stored before it existed',
    ),
  field: z.string(),
  message: z.string(),
});
export type RowError = z.output<typeof rowErrorSchema>;

export const uploadResultSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: z.enum(CAMPAIGN_STATUSES),
  total: count.describe('data rows read: accepted + rejected + duplicates + suppressed'),
  accepted: count.describe('unique valid recipients enqueued'),
  rejected: count.describe('invalid rows'),
  duplicates: count.describe('valid rows whose number came earlier in the file'),
  suppressed: count.describe('valid rows left out because their number is on the suppression list'),
  in_window: count.describe('accepted recipients inside their 24-hour window (an inbound message) at upload'),
  errors: z.array(rowErrorSchema).describe('the first 1,000 row errors; the counts are exact'),
  dry_run: z.boolean().optional().describe('true when `dry_run=true`: validated and counted, nothing stored or sent'),
  replayed: z
    .boolean()
    .optional()
    .describe('true when this answer replays the upload that created the campaign with the same Idempotency-Key'),
  columns: z
    .record(
      z.enum(['customer_number', 'customer_name', 'url', 'mime_type', 'caption', 'timezone']),
      z.string().nullable(),
    )
    .optional()
    .describe('the header each field was read from; null when the file has no such column'),
  header_row: z
    .int()
    .min(1)
    .optional()
    .describe(
      'CSV and .xlsx: the line holding the header, as a spreadsheet numbers it (`header_row=`, else the first of ' +
        'the first 20 lines with a phone column); lines above it are titles, not data',
    ),
  empty_variables: z
    .record(z.string(), count)
    .optional()
    .describe(
      'with a caption template: accepted rows whose caption renders each `{{variable}}` as nothing (empty cell, ' +
        'no fallback), by variable; `{}` when every row fills every variable',
    ),
  countries: z
    .record(z.string(), count)
    .optional()
    .describe(
      'valid distinct numbers per country, suppressed ones included (ISO 3166 alpha-2; 001: non-geographic), ' +
        'most first',
    ),
  country: z
    .string()
    .nullable()
    .optional()
    .describe('the list country numbers written without + or 00 were read in (ISO 3166 alpha-2); null: none'),
  country_source: z
    .enum(['option', 'default', 'inferred', 'none'])
    .optional()
    .describe(
      'where `country` came from: the `country` option, DEFAULT_COUNTRY_CODE, inferred from the file ' +
        '(≥ 80% of its numbers with a country code), or none',
    ),
  preview: z
    .array(
      z.object({
        customer_number: z.string(),
        customer_name: z.string(),
        url: z.string(),
        mime_type: z.string(),
        caption: z.string().optional(),
      }),
    )
    .optional()
    .describe('with `dry_run=true`: the first 5 valid messages as they would be sent (captions rendered)'),
});
export type UploadResult = z.output<typeof uploadResultSchema>;

export const LANES = ['bulk', 'transactional'] as const;
export type Lane = (typeof LANES)[number];

export const campaignCountsSchema = z.object({
  total: count,
  pending: count,
  sent: count,
  failed: count,
  skipped: count.describe('not requested, on purpose: suppressed, outside the 24-hour window, frequency cap'),
  cancelled: count.describe('recipients not sent when the campaign was cancelled (skipped ones are not counted)'),
  waiting: count.describe('pending recipients that quiet hours hold now (part of pending)'),
  delivered: count.describe('messages delivered or read'),
  read: count,
  delivery_failed: count,
});
export type CampaignCounts = z.output<typeof campaignCountsSchema>;

const errorHintSchema = z
  .string()
  .describe('what the code means and what to do, in words (one table: @sobot/schema reasons.ts); absent: unknown code');

const reasonTallySchema = z.object({
  code: z.string(),
  count: count,
  message: z.string(),
  error_hint: errorHintSchema.optional(),
});

export const campaignViewSchema = z.object({
  id: z.string(),
  name: z.string(),
  source: z.enum(['upload', 'api']),
  lane: z.enum(LANES),
  weight: z.int().min(1).max(100).describe('share of the bulk rate relative to other running campaigns'),
  send_at: isoTime.nullable().describe('nothing is sent before this time; null: at once'),
  status: z.enum(CAMPAIGN_STATUSES),
  paused_reason: z
    .string()
    .nullable()
    .describe(
      'why the system (not an operator) stopped sending, when it did; the campaign breaker names the upstream code',
    ),
  image_url: z.string().nullable(),
  caption: z.string().nullable(),
  counts: campaignCountsSchema,
  rows: z.object({ total: count, accepted: count, rejected: count, duplicates: count, suppressed: count }),
  window: z
    .enum(['send', 'skip'])
    .describe('skip: a recipient outside its 24-hour window at send time is skipped (OUTSIDE_WINDOW)'),
  in_window: count.describe('recipients inside their 24-hour window at upload'),
  failure_reasons: z
    .array(reasonTallySchema)
    .describe('failures grouped by upstream (or our) error code, most frequent first'),
  skip_reasons: z
    .array(reasonTallySchema)
    .describe('skipped recipients grouped by reason (SUPPRESSED, OUTSIDE_WINDOW, FREQUENCY_CAP), most frequent first'),
  rate: z.number().min(0).describe('messages per second over the last 10 s'),
  eta_seconds: count
    .nullable()
    .describe('seconds until done at the current rate, waiting recipients included; null when not sending'),
  quiet_hours: z
    .string()
    .nullable()
    .describe("`HH:MM-HH:MM` of each recipient's local time when it is not messaged; null: no quiet hours"),
  waiting_until: isoTime.nullable().describe('when the first recipient held by quiet hours may be sent; null: none'),
  waiting_reason: z
    .enum(['QUIET_HOURS', 'MESSAGING_LIMIT', 'PAIR_RATE'])
    .nullable()
    .describe("why recipients wait (SPEC §15: MESSAGING_LIMIT until the portfolio's 24 h budget frees); null: none"),
  created_at: isoTime,
  started_at: isoTime.nullable(),
  completed_at: isoTime.nullable(),
  updated_at: isoTime,
});
export type CampaignView = z.output<typeof campaignViewSchema>;

export const campaignListSchema = z.object({
  campaigns: z.array(campaignViewSchema).describe('newest first (creation time)'),
  next_cursor: z
    .string()
    .nullable()
    .describe('pass as `cursor` for the next page; null on the last (a filtered page may be short)'),
});
export type CampaignList = z.output<typeof campaignListSchema>;

/** Which failures retry-failed takes (SPEC §20): the policy's retryable ones (default), or every one. */
export const RETRY_INCLUDES = ['retryable', 'all'] as const;
export type RetryInclude = (typeof RETRY_INCLUDES)[number];
/**
 * Why retry-failed left a failure: `permanent` (the upstream refused the message: 131026, 131047, 131051, …),
 * `no_wamid` (a 200 without an id: it may have been sent), both taken with `include=all`; `marketing_limit`
 * (131049 within 24 h), left even then.
 */
export const RETRY_LEFT_REASONS = ['permanent', 'no_wamid', 'marketing_limit'] as const;
export type RetryLeftReason = (typeof RETRY_LEFT_REASONS)[number];

/** The answer of pause / resume / cancel / retry-failed: the campaign after the action. */
export const controlResultSchema = campaignViewSchema.extend({
  settled: z
    .boolean()
    .optional()
    .describe(
      'cancel: true once every request in flight at the cancel was recorded (the counts are final); false when ' +
        'some were still in flight after the wait (a sent count may still grow, a cancelled one never sends)',
    ),
  reset: count.optional().describe('retry-failed: recipients put back to pending (= `retried`)'),
  include: z.enum(RETRY_INCLUDES).optional().describe('retry-failed: which failures it took'),
  retried: count.optional().describe('retry-failed: recipients put back to pending'),
  left: z
    .object({ permanent: count, no_wamid: count, marketing_limit: count })
    .optional()
    .describe('retry-failed: failed recipients it left failed, by reason'),
  by_code: z
    .record(
      z.string(),
      z.object({
        retried: count,
        left: count,
        reason: z.enum(RETRY_LEFT_REASONS).optional().describe('why those left were left'),
      }),
    )
    .optional()
    .describe('retry-failed: per failure code, how many it took and left'),
});
export type ControlResult = z.output<typeof controlResultSchema>;

export const reportRowSchema = z.object({
  customer_number: z.string(),
  customer_name: z.string(),
  status: z.enum(RECIPIENT_STATUSES),
  wamid: z.string().describe('empty until sent'),
  error_code: z.string(),
  error_message: z.string(),
  attempts: count.describe('requests sent for this recipient'),
  updated_at: z.union([isoTime, z.literal('')]).describe('empty while nothing happened yet'),
  delivery_status: z.string().describe('sent, delivered, read or failed; empty before the message was sent'),
});
export type ReportRow = z.output<typeof reportRowSchema>;

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

export const messageViewSchema = z.object({
  id: z.string(),
  campaign_id: z.string(),
  customer_number: z.string(),
  status: z.enum(RECIPIENT_STATUSES),
  wamid: z.string().nullable(),
  delivery_status: z.enum(DELIVERY_STATUSES).nullable(),
  error_code: z.string().nullable(),
  error_message: z.string().nullable(),
  error_hint: errorHintSchema.optional(),
  attempts: count,
  updated_at: isoTime.nullable(),
  metadata: z.record(z.string(), z.unknown()).nullable().describe('what was given with the message; null for none'),
});
export type MessageView = z.output<typeof messageViewSchema>;

export const apiErrorBodySchema = z.object({
  error: z.object({
    code: z.string().describe('stable, machine-readable'),
    message: z.string().describe('for people: what was wrong and where'),
    details: z.unknown().optional().describe('where it applies: rows, fields or message indexes'),
  }),
});
export type ApiErrorBody = z.output<typeof apiErrorBodySchema>;

/** The largest `metadata` of a message, as JSON (SPEC §16). */
export const METADATA_MAX_BYTES = 1024;

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
  /** The sender (SPEC §15) to send it through; the call's messages share the senders they name. */
  sender: z.string().min(1).max(64).optional(),
  /** The caller's own data (an order id…), kept with the message and given back with it and its events. */
  metadata: z
    .record(z.string(), z.unknown())
    .optional()
    .refine((m) => m === undefined || Buffer.byteLength(JSON.stringify(m), 'utf8') <= METADATA_MAX_BYTES, {
      message: `metadata is at most ${METADATA_MAX_BYTES} bytes of JSON`,
    })
    .describe(`a JSON object of at most ${1024} bytes, given back by GET /v1/messages/:id and in events`),
});
export type MessageInput = z.input<typeof messageInputSchema>;

/** Options of a whole `POST /v1/messages` call. */
const sendOptions = {
  idempotency_key: z.string().min(1).max(200).optional(),
  /** Default transactional: ahead of every bulk campaign. */
  lane: z.enum(LANES).optional(),
  /** RFC 3339 with an offset; nothing is sent before it. */
  send_at: z.string().max(40).optional(),
  /** `HH:MM-HH:MM`: hold each message while this span covers its recipient's local time. Default none. */
  quiet_hours: z.string().max(40).optional(),
  /** The sender(s) to use (SPEC §15): an id, or comma-separated ids; default every active sender. */
  sender: z.string().max(1000).optional(),
  senders: z.string().max(1000).optional(),
};

export const sendMessagesBodySchema = z.union([
  z.object({ messages: z.array(messageInputSchema).min(1).max(1000), ...sendOptions }),
  messageInputSchema.extend(sendOptions),
]);

export const sendMessagesResultSchema = z.object({
  campaign_id: z.string(),
  ids: z.array(z.string()).describe('one per message, in order; a number repeated in one call gets one id'),
  replayed: z.boolean().describe('true when this answer replays an earlier call with the same idempotency key'),
});
export type SendMessagesResult = z.output<typeof sendMessagesResultSchema>;

export const messageListItemSchema = messageViewSchema.extend({ created_at: isoTime });
export type MessageListItem = z.output<typeof messageListItemSchema>;

export const messageListSchema = z.object({
  messages: z.array(messageListItemSchema).describe("oldest first; a call's messages are never split across pages"),
  next_cursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
});
export type MessageList = z.output<typeof messageListSchema>;

/** Transactional traffic over the last 24 hours (SPEC §10). */
export const messageSummarySchema = z.object({
  since: isoTime,
  accepted: count,
  sent: count,
  failed: count,
  skipped: count,
  pending: count,
});
export type MessageSummary = z.output<typeof messageSummarySchema>;

/** One number on the suppression list (SPEC §12). */
export const suppressionSchema = z.object({
  number: z.string().describe('digits, country code first (as the uploads normalise it)'),
  reason: z
    .string()
    .nullable()
    .describe('the reason given, an upstream code (131050) or the opt-out keyword; null when none was given'),
  suppressed_at: isoTime,
  source: z
    .enum(['operator', 'keyword', 'upstream', 'import'])
    .describe(
      'who suppressed it: `operator` (POST with numbers; also any suppression stored before sources existed), ' +
        "`import` (a CSV body), `keyword` (the customer's opt-out keyword), `upstream` (131050). A customer's " +
        'opt-in keyword lifts only `keyword` and `upstream`',
    ),
});
export type SuppressionView = z.output<typeof suppressionSchema>;

export const suppressionListSchema = z.object({
  suppressions: z.array(suppressionSchema).describe('in a stable order (not by time)'),
  next_cursor: z.string().nullable().describe('pass as `cursor` for the next page; null on the last'),
  total: count.describe('numbers on the list'),
});
export type SuppressionList = z.output<typeof suppressionListSchema>;

export const suppressionImportSchema = z.object({
  received: count.describe('numbers (or data rows) read'),
  added: count.describe('numbers newly suppressed'),
  already: count.describe('valid numbers that were suppressed already (they keep their reason)'),
  duplicates: count.describe('numbers that came earlier in the same request'),
  rejected: count.describe('always 0: a list with an invalid number or row is refused whole (nothing added)'),
  errors: z.array(rowErrorSchema).describe('CSV: the first 1,000 row errors'),
});
export type SuppressionImport = z.output<typeof suppressionImportSchema>;

/** `POST /v1/suppressions` as JSON. */
export const suppressionsBodySchema = z.object({
  numbers: z
    .array(z.union([z.string(), z.number()]).transform(String))
    .min(1)
    .max(100_000),
  reason: z.string().trim().min(1).max(200).optional(),
});
