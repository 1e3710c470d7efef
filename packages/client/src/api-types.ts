/**
 * The shapes the HTTP API answers with (SPEC §5), as the published SDK declares them. Written out here,
 * not imported from @sobot/schema: that workspace package is not published, and its message shapes are
 * zod schemas the SDK's users should not need. test/api-types.test.ts checks at compile time that every
 * answer the producer's schema describes fits these types, so a change there that breaks the SDK fails
 * `pnpm typecheck`.
 *
 * Status unions end in `(string & {})`: a newer server may add a status, and code built against this SDK
 * must still receive it (the known ones still autocomplete).
 */

export type CampaignStatus = 'scheduled' | 'queued' | 'running' | 'paused' | 'cancelled' | 'completed' | (string & {});
/** Transactional messages go ahead of every bulk campaign (SPEC §10). */
export type Lane = 'bulk' | 'transactional';
/** `skipped`: not requested, on purpose (suppressed, outside the 24-hour window, frequency cap); terminal. */
export type RecipientStatus = 'pending' | 'sent' | 'failed' | 'skipped' | 'cancelled' | (string & {});
export type DeliveryStatus = 'sent' | 'delivered' | 'read' | 'failed' | (string & {});

/** Failures or skips of one code: how many, the last message, and what it means and what to do. */
export interface ReasonTally {
  code: string;
  count: number;
  message: string;
  /** What the code means and what to do, in words; absent for a code nobody has explained. */
  error_hint?: string;
}

export interface RowError {
  /** 1-based data row (the header is not counted). */
  row: number;
  /** The line a spreadsheet shows for the row (header = line 1, title lines above it counted). */
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
  /** Valid rows left out: their number is suppressed (total = accepted + rejected + duplicates + suppressed). */
  suppressed: number;
  /** Accepted recipients inside their 24-hour window (an inbound message) at upload. */
  in_window: number;
  /** The first row errors (capped); `rejected` is the exact count. */
  errors: RowError[];
  /** True when `dry_run=true`: validated and counted, nothing stored or sent. */
  dry_run?: boolean;
  /** True when this answer replays the upload that created the campaign with the same idempotency key. */
  replayed?: boolean;
  /** The header each field was read from; null when the file has no such column. */
  columns?: Partial<
    Record<'customer_number' | 'customer_name' | 'url' | 'mime_type' | 'caption' | 'timezone', string | null>
  >;
  /** CSV and .xlsx: the line holding the header, as a spreadsheet numbers it (lines above it are titles). */
  header_row?: number;
  /** With a caption template: accepted rows whose caption renders each `{{variable}}` as nothing, by variable. */
  empty_variables?: Record<string, number>;
  /** With `dryRun`: the first 5 valid messages as they would be sent (captions rendered). */
  preview?: Array<{
    customer_number: string;
    customer_name: string;
    url: string;
    mime_type: string;
    caption?: string;
  }>;
  /** Accepted numbers per country (ISO 3166 alpha-2; `001` non-geographic), most first: `{IN: 95, SG: 2}`. */
  countries?: Record<string, number>;
  /** The list country numbers written without + or 00 were read in; null when none. */
  country?: string | null;
  /** Where `country` came from: the `country` option, DEFAULT_COUNTRY_CODE, inferred from the file, or none. */
  country_source?: 'option' | 'default' | 'inferred' | 'none' | (string & {});
}

export interface CampaignCounts {
  total: number;
  pending: number;
  sent: number;
  failed: number;
  /** Not requested, on purpose (see `skip_reasons`). */
  skipped: number;
  /** Not sent because the campaign was cancelled (skipped ones are not counted here). */
  cancelled: number;
  /** Pending recipients that quiet hours hold now (part of pending). */
  waiting: number;
  delivered: number;
  read: number;
  delivery_failed: number;
}

export interface CampaignView {
  id: string;
  name: string;
  source: 'upload' | 'api' | (string & {});
  lane: Lane;
  /** Share of the bulk rate relative to other running campaigns. */
  weight: number;
  /** Nothing is sent before this time; null when sending starts at once. */
  send_at: string | null;
  status: CampaignStatus;
  /** Why the system (not an operator) stopped sending, when it did (the campaign breaker names the code). */
  paused_reason: string | null;
  image_url: string | null;
  caption: string | null;
  counts: CampaignCounts;
  rows: { total: number; accepted: number; rejected: number; duplicates: number; suppressed: number };
  /** `skip`: a recipient outside its 24-hour window at send time is skipped (`OUTSIDE_WINDOW`). */
  window: 'send' | 'skip';
  /** Recipients inside their 24-hour window at upload. */
  in_window: number;
  /** Failures grouped by upstream (or our) error code. */
  failure_reasons: ReasonTally[];
  /** Skipped recipients grouped by reason: `SUPPRESSED`, `OUTSIDE_WINDOW`, `FREQUENCY_CAP`. */
  skip_reasons: ReasonTally[];
  /** Messages per second over the last few seconds. */
  rate: number;
  /** Seconds until done at the current rate, waiting recipients included; null when not sending. */
  eta_seconds: number | null;
  /** `HH:MM-HH:MM` of each recipient's local time when it is not messaged; null: no quiet hours. */
  quiet_hours: string | null;
  /** When the first recipient held by quiet hours may be sent; null when none waits. */
  waiting_until: string | null;
  /** Why recipients wait: QUIET_HOURS, MESSAGING_LIMIT (the portfolio's 24 h budget), PAIR_RATE; null: none. */
  waiting_reason?: 'QUIET_HOURS' | 'MESSAGING_LIMIT' | 'PAIR_RATE' | null;
  created_at: string;
  started_at: string | null;
  completed_at: string | null;
  updated_at: string;
}

/** One page of `GET /v1/campaigns`. */
export interface CampaignList {
  /** Newest first (creation time). */
  campaigns: CampaignView[];
  /** Pass as `cursor` for the next page; null on the last. */
  next_cursor: string | null;
}

/** One row of a campaign's report. */
export interface ReportRow {
  customer_number: string;
  customer_name: string;
  status: RecipientStatus;
  wamid: string;
  error_code: string;
  error_message: string;
  /** Requests sent for this recipient. */
  attempts: number;
  updated_at: string;
  delivery_status: string;
}

export interface MessageView {
  id: string;
  campaign_id: string;
  customer_number: string;
  status: RecipientStatus;
  wamid: string | null;
  delivery_status: DeliveryStatus | null;
  error_code: string | null;
  error_message: string | null;
  /** What `error_code` means and what to do, in words; absent for a code nobody has explained. */
  error_hint?: string;
  attempts: number;
  updated_at: string | null;
  /** The `metadata` given with the message; null when none was. */
  metadata: Record<string, unknown> | null;
}

export interface SendMessagesResult {
  campaign_id: string;
  ids: string[];
  /** True when this answer replays an earlier call with the same idempotency key. */
  replayed: boolean;
}

/** Every error answer: `{error:{code, message, details?}}`. */
export interface ApiErrorBody {
  error: { code: string; message: string; details?: unknown };
}

/** One message for `sendMessages` (`POST /v1/messages`). */
export interface MessageInput {
  /** Digits, with or without `+`, spaces, dashes, brackets; a number is accepted too. */
  customer_number: string | number;
  customer_name?: string;
  /** The image; `image_url` is accepted as an alias. */
  url?: string;
  image_url?: string;
  /** `image/jpeg` or `image/png`; from the URL's extension when absent. */
  mime_type?: string;
  caption?: string;
  /** Your own data (an order id…): a JSON object of at most 1 KiB, given back with the message and its events. */
  metadata?: Record<string, unknown>;
  /** The sender (SPEC §15) to send it through: one of GET /v1/senders' ids; default every active sender. */
  sender?: string;
}

/** One message of `GET /v1/messages`: its status, and when it was accepted. */
export interface MessageListItem extends MessageView {
  created_at: string;
}

export interface MessageList {
  /** Oldest first; one call's messages are never split across pages. */
  messages: MessageListItem[];
  /** Pass as `cursor` for the next page; null on the last. */
  next_cursor: string | null;
}

/** API messages of the last 24 hours. */
export interface MessageSummary {
  since: string;
  accepted: number;
  sent: number;
  failed: number;
  skipped: number;
  pending: number;
}

/** One number on the suppression list. */
export interface SuppressionView {
  number: string;
  /** The reason given, an upstream code (`131050`) or the opt-out keyword; null when none was given. */
  reason: string | null;
  suppressed_at: string;
  /**
   * Who suppressed it: `operator` (numbers posted; also what was stored before sources existed), `import` (a CSV),
   * `keyword` (the customer's opt-out keyword), `upstream` (131050). A customer's START lifts only the last two.
   */
  source: SuppressionSource;
}

export type SuppressionSource = 'operator' | 'keyword' | 'upstream' | 'import';

export interface SuppressionList {
  suppressions: SuppressionView[];
  /** Pass as `cursor` for the next page; null on the last. */
  next_cursor: string | null;
  /** Numbers on the list. */
  total: number;
}

/** What `POST /v1/suppressions` did. */
export interface SuppressionImport {
  received: number;
  /** Numbers newly suppressed. */
  added: number;
  /** Valid numbers already suppressed (they keep their reason). */
  already: number;
  duplicates: number;
  /** Invalid rows of a CSV. */
  rejected: number;
  errors: RowError[];
}

/** Which failures retry-failed takes: those a new request can fix (default), or every one. */
export type RetryInclude = 'retryable' | 'all';
/**
 * Why retry-failed left a failure: `permanent` (the upstream refused the message), `no_wamid` (answered 200 without
 * an id: it may have been sent), both taken with `include: 'all'`; `marketing_limit` (131049 within 24 h), left
 * even then.
 */
export type RetryLeftReason = 'permanent' | 'no_wamid' | 'marketing_limit';

/** What retry-failed took and left (on its answer, beside the campaign). */
export interface RetryFailedTally {
  include?: RetryInclude;
  /** Recipients put back to pending. */
  retried?: number;
  /** Failed recipients left failed, by reason. */
  left?: Record<RetryLeftReason, number>;
  /** Per failure code: how many it took and left, and why those were left. */
  by_code?: Record<string, { retried: number; left: number; reason?: RetryLeftReason }>;
}

/** SPEC §16: the outbound event types an endpoint may subscribe to. */
export type EventType =
  | 'message.sent'
  | 'message.failed'
  | 'message.skipped'
  | 'message.delivered'
  | 'message.read'
  | 'message.inbound'
  | 'campaign.completed'
  | 'campaign.paused'
  | 'sender.paused';

/** `POST /v1/event-endpoints`. */
export interface EventEndpointInput {
  url: string;
  /** Absent: every type. */
  events?: EventType[];
  /** Only this campaign's events. */
  campaign_id?: string;
  description?: string;
}

/** An event endpoint as listed (never its secret). */
export interface EventEndpointView {
  id: string;
  url: string;
  events: EventType[];
  campaign_id: string | null;
  description: string | null;
  created_at: string;
}

/** The answer of a creation: the only one that shows the secret. */
export interface EventEndpointCreated extends EventEndpointView {
  /** `whsec_…`: keep it to verify events (`verifyEvent`). */
  secret: string;
}

export interface EventEndpointList {
  endpoints: EventEndpointView[];
}

/** `POST …/rotate-secret`: the new secret; the previous one signs too until `previous_secret_expires_at`. */
export interface RotatedSecret {
  id: string;
  secret: string;
  previous_secret_expires_at: string;
}

/** `POST …/test`: what the receiver said to one signed `endpoint.test` event. */
export interface EndpointTestResult {
  event_id: string;
  ok: boolean;
  status: number | null;
  error: 'timeout' | 'unreachable' | 'address' | null;
  duration_ms: number;
}

/** One sender (SPEC §15): a Sobot account, one WhatsApp number. Its key pair is never shown. */
export interface SenderView {
  id: string;
  /** Requests per second to this sender, across every worker. */
  rate: number;
  portfolio: string;
  state: 'active' | 'paused';
  /** Why the upstream refused it (401, 368…); null when active. */
  paused_reason: string | null;
  paused_code: string | null;
  paused_at: string | null;
  /** 131048 halves its rate until then; null when not slowed. */
  slowed_until: string | null;
  /** Its requests in flight now, over every worker. */
  in_flight: number;
  /** Its portfolio's budget (see PortfolioUsage). */
  used_24h: number;
  remaining_24h: number | null;
  next_release_at: string | null;
}

/** A portfolio's messaging budget: unique numbers a rolling 24 h may start conversations with. */
export interface PortfolioUsage {
  portfolio: string;
  /** null: unlimited. */
  messaging_limit: number | null;
  used_24h: number;
  /** null: unlimited. */
  remaining_24h: number | null;
  /** When the oldest counted number leaves the 24 h; null when none is counted. */
  next_release_at: string | null;
}

/** `GET /v1/senders`. */
export interface SenderList {
  senders: SenderView[];
  portfolios: PortfolioUsage[];
}
