import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { NotFoundError } from '@sobot/store';
import {
  CAMPAIGN_STATUSES,
  RETRY_INCLUDES,
  type CampaignStatus,
  type RetryInclude,
  campaignListSchema,
  campaignViewSchema,
  controlResultSchema,
  messageViewSchema,
  messageListSchema,
  messageSummarySchema,
  reportRowSchema,
  rowErrorSchema,
  sendMessagesBodySchema,
  sendMessagesResultSchema,
  suppressionImportSchema,
  suppressionListSchema,
  suppressionSchema,
  suppressionsBodySchema,
  uploadResultSchema,
} from '@sobot/schema';
import { REPORT_CONTENT_TYPES, REPORT_FORMATS } from '@sobot/campaigns';
import { answer, answerSchema, contentAnswer, doc, errors, type JsonSchema } from '../doc';

/** The 503s of an upload or an import (SPEC §22). */
const UPLOADS_BUSY =
  '`STORE_UNAVAILABLE`: Redis is unreachable. `TOO_MANY_UPLOADS`: `MAX_CONCURRENT_UPLOADS` uploads and imports ' +
  'are being read; retry after `Retry-After`.';

/**
 * The OpenAPI description of every route, next to the zod schemas the routes parse their input with.
 * A route file takes its `schema:` from here; what it answers is checked against these documents by
 * apps/producer/test/openapi.e2e.test.ts.
 */

/** A campaign id as the API hands it out; anything else names no campaign (404, SPEC §14). */
export const campaignIdParams = z.object({
  id: z
    .string()
    .regex(/^c[0-9a-z]{15}$/)
    .describe('campaign id, as returned by POST /v1/campaigns'),
});
/** A message id is `<campaign id>-<index>`; anything else names no message (404). */
export const messageIdParams = z.object({
  id: z
    .string()
    .regex(/^c[0-9a-z]{15}-\d{1,9}$/)
    .describe('message id, as returned by POST /v1/messages'),
});
/**
 * The id of a path, or a 404 when it cannot name anything: a malformed id is as unknown as a
 * well-formed one that does not exist (SPEC §14), never a 400.
 */
export function pathId(params: z.ZodObject<{ id: z.ZodString }>, raw: unknown, what: string): string {
  const parsed = params.safeParse(raw);
  if (parsed.success) return parsed.data.id;
  const given = z.object({ id: z.string() }).safeParse(raw);
  throw new NotFoundError(`${what} ${given.success ? given.data.id.slice(0, 64) : ''}`.trim());
}
export const listQuery = z.object({
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(200).optional().describe('`next_cursor` of the previous page (opaque)'),
  status: z
    .string()
    .max(200)
    .optional()
    .describe(`only campaigns with one of these statuses, comma-separated: ${CAMPAIGN_STATUSES.join(', ')}`)
    .transform((s, ctx) => {
      if (s === undefined) return undefined;
      const list = s.split(',').map((x) => x.trim());
      const bad = list.filter((x) => !(CAMPAIGN_STATUSES as readonly string[]).includes(x));
      if (bad.length > 0) {
        ctx.addIssue({ code: 'custom', message: `not a campaign status: ${bad.join(', ')}`.slice(0, 200) });
        return z.NEVER;
      }
      return [...new Set(list)] as CampaignStatus[];
    }),
});
export const reportQuery = z.object({
  format: z
    .enum(REPORT_FORMATS)
    .default('csv')
    .describe('`xlsx` (a workbook: text cells, frozen header, filter), `csv` (RFC 4180, UTF-8 BOM), `json`, `ndjson`'),
});

const BEARER = { 401: '`UNAUTHORIZED`: the bearer token is missing or not one of `API_KEYS`.' };
const NOT_FOUND = { 404: '`NOT_FOUND`: no campaign with this id (unknown or malformed).' };
const tags = (tag: string) => ({ tags: [tag] });

const csv = {
  type: 'string',
  description: "RFC 4180 with a UTF-8 BOM and a header row; a cell starting with = + - @ tab or CR gets a leading '",
};
const xlsx = {
  type: 'string',
  format: 'binary',
  description: 'an .xlsx workbook: the same columns as text cells, a frozen header row and a filter',
};
const ndjson = (row: string) => ({ type: 'string', description: `one ${row} JSON object per line` });
const rowsAnswer = (description: string, row: z.ZodType, name: string) =>
  contentAnswer(description, {
    'text/csv': csv,
    [REPORT_CONTENT_TYPES.xlsx]: xlsx,
    'application/json': { type: 'array', items: answerSchema(row) },
    'application/x-ndjson': ndjson(name),
  });

const listCampaigns: FastifySchema = {
  summary: 'List campaigns, newest first',
  ...tags('campaigns'),
  querystring: doc(listQuery),
  response: {
    200: answer('Campaigns', campaignListSchema),
    ...errors({
      ...BEARER,
      400: '`INVALID_REQUEST`: `limit` out of range, `status` not a campaign status, or `cursor` not one handed out.',
    }),
  },
};

const getCampaign: FastifySchema = {
  summary: 'Campaign status, counts, rate and ETA',
  description:
    'sent + failed + skipped + cancelled + pending = total. `skipped` recipients were not requested on purpose ' +
    '(`skip_reasons`: SUPPRESSED, OUTSIDE_WINDOW, FREQUENCY_CAP). A campaign the system paused says why in ' +
    '`paused_reason`; the campaign breaker pauses one whose upstream code failed half of its first 50 ' +
    'requests (or of any 200) and names the code there (e.g. `campaign breaker: 131053 (Media upload error) ' +
    'failed 25 of the first 41 requests; …`). Resuming it starts a fresh count.',
  ...tags('campaigns'),
  params: doc(campaignIdParams),
  response: { 200: answer('The campaign', campaignViewSchema), ...errors({ ...BEARER, ...NOT_FOUND }) },
};

const report: FastifySchema = {
  summary: 'One row per recipient (streamed)',
  description:
    '`status` is pending, sent, failed, skipped or cancelled; a skipped row carries its reason in `error_code` ' +
    '(SUPPRESSED, OUTSIDE_WINDOW, FREQUENCY_CAP) and `error_message`.',
  ...tags('campaigns'),
  params: doc(campaignIdParams),
  querystring: doc(reportQuery),
  response: {
    200: rowsAnswer('The report, in the format asked for', reportRowSchema, 'report row'),
    ...errors({ ...BEARER, ...NOT_FOUND, 400: '`INVALID_REQUEST`: unknown format.' }),
  },
};

const rejected: FastifySchema = {
  summary: 'The rows the upload rejected, with row number, field and reason',
  ...tags('campaigns'),
  params: doc(campaignIdParams),
  querystring: doc(reportQuery),
  response: {
    200: rowsAnswer('The rejected rows, in the format asked for', rowErrorSchema, 'row error'),
    ...errors({ ...BEARER, ...NOT_FOUND, 400: '`INVALID_REQUEST`: unknown format.' }),
  },
};

const ACTION_SUMMARIES: Record<string, string> = {
  pause: 'Pause a campaign: every worker stops requesting within ~0.5 s',
  resume: 'Resume a paused campaign (also lifts a system-wide pause)',
  cancel: 'Cancel a campaign: what was sent, failed or skipped stays so, the rest is cancelled',
  'retry-failed':
    'Put the retryable failed recipients back to pending, with the campaign’s image and caption (not the skipped)',
};
/** retry-failed's option, as a query parameter or in a JSON body (the query wins). */
const retryInclude = z.object({
  include: z
    .enum(RETRY_INCLUDES)
    .optional()
    .describe(
      '`retryable` (default): only failures a new request can fix; `all`: also the permanent ones and those ' +
        'answered 200 without a wamid (they may have been sent: the customer may get the message twice)',
    ),
});
export function retryFailedOptions(query: unknown, body: unknown): { include: RetryInclude } {
  const fromBody = body && typeof body === 'object' ? retryInclude.parse(body).include : undefined;
  return { include: retryInclude.parse(query ?? {}).include ?? fromBody ?? 'retryable' };
}
const RETRY_DESCRIPTION =
  'Takes the failures the send policy calls retryable (timeouts, network errors, 408/5xx, 429 and the ' +
  'throttles 130429/131056/131048, 131000, 131016, 131057, 133004, 1, 2, and 131049 after 24 h) and leaves ' +
  'the permanent ones (131026, 131047, 131050, 131051, 131008, 131009, 131021, 131052, 131053, other 4xx) and ' +
  '`NO_WAMID` (a 200 without an id: it may have gone out) unless `include=all` (query, or `{"include":"all"}` ' +
  'as JSON body). A 131049 within 24 h is left even then. The answer says how many it took (`retried`) and ' +
  'left (`left`, by reason), and per failure code (`by_code`).';
const RETRY_BAD_INCLUDE: Record<number, string> = {
  400: '`INVALID_REQUEST`: `include` is not `retryable` or `all`.',
};
const control = (action: string): FastifySchema => ({
  summary: ACTION_SUMMARIES[action],
  ...(action === 'retry-failed'
    ? { description: RETRY_DESCRIPTION, querystring: doc(retryInclude), body: doc(retryInclude) }
    : {}),
  ...tags('campaigns'),
  params: doc(campaignIdParams),
  response: {
    200: answer('The campaign after the action', controlResultSchema),
    ...errors({
      ...BEARER,
      ...NOT_FOUND,
      409: '`INVALID_STATE`: not possible in the campaign’s status (e.g. resuming a cancelled one).',
      ...(action === 'retry-failed' ? RETRY_BAD_INCLUDE : {}),
    }),
  },
});

/** A recipient row of a JSON / NDJSON list, for the reader of the document (ingest does the checking). */
const recipientRow = z
  .object({
    customer_number: z
      .union([z.string(), z.number()])
      .optional()
      .describe('required under this name or an alias: phone, number, mobile, msisdn'),
    customer_name: z.string().optional().describe('alias: name'),
    url: z.string().optional().describe('alias: image_url; overrides the campaign’s image'),
    mime_type: z.string().optional(),
    caption: z.string().optional(),
  })
  .loose();
const recipientList = z.union([z.array(recipientRow), z.object({ recipients: z.array(recipientRow) })]);

/**
 * The upload's documentation, built from the options and body types upload.ts really reads: the
 * options are query parameters of a raw body, or form fields of a multipart one.
 */
function upload(options: z.ZodObject, rawTypes: Iterable<string>): FastifySchema {
  const form = doc(options);
  const fields = {
    ...form,
    properties: {
      ...(form.properties as JsonSchema),
      file: { type: 'string', format: 'binary', description: 'the recipient list: CSV, JSON or NDJSON' },
    },
    required: ['file'],
    description: 'Fields sent before `file` apply to it; fields after it are ignored.',
  };
  const text = { type: 'string', description: 'the recipient list, read as the media type says or sniffed' };
  const content: Record<string, { schema: JsonSchema }> = { 'multipart/form-data': { schema: fields } };
  for (const type of rawTypes) {
    if (!type) continue;
    content[type] = { schema: type === 'application/json' ? doc(recipientList) : text };
  }
  return {
    summary: 'Create a campaign from a recipient list (multipart `file`, or a raw CSV / JSON / NDJSON body)',
    description:
      'Options come as query parameters, or as multipart fields before the file. A body with no ' +
      'Content-Type, `text/plain` or `application/octet-stream` is read as the format sniffed. ' +
      '`quiet_hours=HH:MM-HH:MM` (default `QUIET_HOURS`; `off` for none): no recipient is requested while the ' +
      "span covers its local time (a `timezone` column, else its number's zone); they wait, the rest go on. " +
      'An `Idempotency-Key` header (or `idempotency_key` option) makes retries safe: the same key never creates ' +
      'two campaigns; a retry answers the campaign it created (202, `replayed: true`). ' +
      'NUL bytes and invalid UTF-8 in a text field are row errors naming the field.',
    ...tags('campaigns'),
    querystring: form,
    headers: doc(z.object({ 'idempotency-key': z.string().min(1).max(255).optional() })),
    body: { content },
    response: {
      202: answer('Accepted: the campaign is queued', uploadResultSchema),
      200: answer('`dry_run=true`: validated and counted, nothing stored', uploadResultSchema),
      ...errors({
        ...BEARER,
        400:
          '`INVALID_REQUEST` (an option), `UNPARSEABLE`, `NO_PHONE_COLUMN`, `NO_VALID_ROWS`, `STRICT_REJECTED`, ' +
          '`INVALID_DEFAULTS`, `IMAGE_PREFLIGHT_FAILED`, `NO_FILE`, `UNEXPECTED_FILE`, `UNKNOWN_COUNTRY`. ' +
          'Nothing is kept.',
        409:
          '`NO_INBOUND_EVENTS`: `window=skip`, but no inbound message arrived in the last 24 hours (every ' +
          'recipient would be skipped); add `force=true` to upload anyway. Nothing is kept. ' +
          '`DUPLICATE_UPLOAD`: the same recipients and message (whatever the row order or campaign name) were ' +
          'accepted in the last 24 hours; `details.campaign` is `{id, name, created_at}` of that campaign; add ' +
          '`force=true` to upload anyway. Nothing is kept. ' +
          '`IDEMPOTENCY_IN_PROGRESS`: an upload with this key is still being read (retry after `Retry-After`); ' +
          '`IDEMPOTENCY_KEY_REUSED`: the key was used with other options or another file.',
        413:
          '`UPLOAD_TOO_LARGE`: over `MAX_UPLOAD_BYTES`. `WORKBOOK_TOO_LARGE`: an .xlsx expanding past ' +
          '`MAX_XLSX_EXPANDED_BYTES`, shared strings past `MAX_XLSX_SHARED_STRINGS`, or a cell or row over 1 MiB. ' +
          'Nothing is kept.',
        415: '`UNSUPPORTED_MEDIA_TYPE`: the raw body is not CSV, JSON or NDJSON.',
        503: UPLOADS_BUSY,
      }),
    },
  };
}

const sendMessages: FastifySchema = {
  summary: 'Send one message or {messages:[…]} (≤ 1,000, all-or-nothing validation)',
  description:
    'An `Idempotency-Key` header (or `idempotency_key` field) makes retries safe: the same key never ' +
    'enqueues twice; the same body gets the same answer (`replayed: true`), another body is a 409.',
  ...tags('messages'),
  headers: doc(z.object({ 'idempotency-key': z.string().min(1).max(200).optional() })),
  body: doc(sendMessagesBodySchema),
  response: {
    202: answer('Accepted: the messages are queued', sendMessagesResultSchema),
    ...errors({
      ...BEARER,
      400: '`INVALID_MESSAGES` (`details`: `[{index, field, message}]`), `INVALID_REQUEST`, `INVALID_JSON`.',
      409: '`IDEMPOTENCY_KEY_REUSED`: the key was used with another body.',
      413: '`BODY_TOO_LARGE`: over 10 MiB.',
      415: '`UNSUPPORTED_MEDIA_TYPE`: the body is not `application/json`.',
    }),
  },
};

const getMessage: FastifySchema = {
  summary: 'Status, wamid and delivery status of one message',
  ...tags('messages'),
  params: doc(messageIdParams),
  response: {
    200: answer('The message', messageViewSchema),
    ...errors({ ...BEARER, 404: '`NOT_FOUND`: no message with this id (unknown or malformed).' }),
  },
};

export const messageListQuery = z.object({
  since: z.iso.datetime({ offset: true }).optional().describe('RFC 3339; default: 24 hours ago'),
  limit: z.coerce.number().int().min(1).max(1000).default(100),
  cursor: z.string().max(200).optional().describe('`next_cursor` of the previous page'),
});

const listMessages: FastifySchema = {
  summary: 'Messages sent through the API since a time, oldest first (paged)',
  ...tags('messages'),
  querystring: doc(messageListQuery),
  response: {
    200: answer('The messages', messageListSchema),
    ...errors({ ...BEARER, 400: '`INVALID_REQUEST`: `since`, `limit` or `cursor` is not valid.' }),
  },
};

const messageSummary: FastifySchema = {
  summary: 'API messages of the last 24 hours: accepted, sent, failed, skipped, pending',
  ...tags('messages'),
  response: { 200: answer('The summary', messageSummarySchema), ...errors(BEARER) },
};

const errorDetail = z.object({
  code: z.union([z.string(), z.number()]).optional(),
  title: z.string().optional(),
  message: z.string().optional(),
});
const timestamp = z.union([z.string(), z.number()]).optional().describe('unix seconds or ms, or an ISO date');
const flatEvent = z
  .object({
    id: z.string().optional().describe('the wamid (or use `wamid`)'),
    wamid: z.string().optional(),
    status: z.string().describe('sent, delivered, read or failed; other statuses are ignored'),
    timestamp,
    error_code: z.union([z.string(), z.number()]).optional(),
    error_message: z.string().optional(),
  })
  .loose();
const metaEvent = z
  .object({ id: z.string(), status: z.string(), timestamp, errors: z.array(errorDetail).optional() })
  .loose();
const metaMessage = z
  .object({
    id: z.string().optional().describe('the message id: a message seen before (7 days) is not applied again'),
    from: z
      .string()
      .describe("the customer's number: international digits, country code first (never a national number)"),
    timestamp,
    type: z.string().optional().describe('text, image, …: any inbound message opens the window'),
    text: z.object({ body: z.string() }).optional(),
  })
  .loose();
const flatMessage = z
  .object({
    type: z.literal('message'),
    id: z.string().optional().describe('the message id: a message seen before (7 days) is not applied again'),
    from: z.string().describe('international digits, country code first (`+` / `00` allowed)'),
    timestamp,
    text: z.union([z.string(), z.object({ body: z.string() })]).optional(),
  })
  .loose();
const webhookBody = z.union([
  z
    .object({
      entry: z.array(
        z
          .object({
            changes: z.array(
              z.object({
                value: z
                  .object({ statuses: z.array(metaEvent).optional(), messages: z.array(metaMessage).optional() })
                  .loose(),
              }),
            ),
          })
          .loose(),
      ),
    })
    .loose()
    .describe('Meta style'),
  flatEvent.describe('one flat status event'),
  flatMessage.describe('one flat inbound message'),
  z.array(z.union([flatEvent, flatMessage])).describe('flat events'),
  z
    .object({ statuses: z.array(flatEvent).optional(), messages: z.array(flatMessage).optional() })
    .describe('flat events under `statuses` and `messages`'),
]);
/** What the webhook answers: events read, and what became of them. */
export const webhookAnswerSchema = z.object({
  received: z.int().min(0).describe('delivery status events in the body'),
  applied: z.int().min(0).describe('events that moved a message forward'),
  stale: z.int().min(0).describe('events older than what the message already has'),
  unknown: z.int().min(0).describe('events for a wamid we do not know (acknowledged so they are not re-sent)'),
  inbound: z.int().min(0).describe("inbound messages: each opened its sender's 24-hour window"),
  opted_out: z.int().min(0).describe('senders suppressed by an opt-out keyword (`OPT_OUT_KEYWORDS`)'),
  opted_in: z
    .int()
    .min(0)
    .describe('senders whose `keyword` or `upstream` suppression an opt-in keyword lifted (`OPT_IN_KEYWORDS`)'),
  opt_in_kept: z
    .int()
    .min(0)
    .describe("of those, senders whose suppression stays: an operator's or an import's (an operator lifts it)"),
  duplicates: z.int().min(0).describe('keyword messages whose id was seen in the last 7 days: not applied again'),
  outdated: z
    .int()
    .min(0)
    .describe("keywords older than the sender's latest applied keyword, or than 7 days: they change nothing"),
  ignored: z
    .int()
    .min(0)
    .describe('well-formed events not acted on (another status or type, a sender that is no number)'),
});

const webhook: FastifySchema = {
  summary: 'Delivery status events (keyed by wamid) and inbound messages',
  description:
    'Authenticated by `?token=` equal to `WEBHOOK_TOKEN`, or by `X-Hub-Signature-256: sha256=<hex>` ' +
    '(HMAC-SHA256 of the raw body with `WEBHOOK_APP_SECRET`) — not by the bearer key, which the upstream ' +
    'cannot send; with neither configured it is 401 unless `WEBHOOK_OPEN=true`. The body is read as JSON ' +
    'whatever its content type. The furthest of sent < delivered | failed < read is kept, in whatever order ' +
    "events arrive. An inbound message opens its sender's 24-hour window; a text that is exactly an opt-out " +
    "keyword suppresses the sender, an opt-in keyword lifts a `keyword` or `upstream` suppression (an operator's " +
    'or an import stays). Inbound messages apply once (by id, 7 days) and in the order of their own timestamps ' +
    "per sender; a keyword older than 7 days changes nothing. A sender's number is read as international.",
  ...tags('webhooks'),
  security: [{ webhookToken: [] }, { webhookSignature: [] }],
  body: doc(webhookBody),
  response: {
    200: answer('Events recorded', webhookAnswerSchema),
    ...errors({
      400: '`INVALID_WEBHOOK`: neither Meta-style nor flat events; `INVALID_JSON`.',
      401: '`UNAUTHORIZED`: the token or the signature is missing or wrong.',
      413: '`BODY_TOO_LARGE`: over `WEBHOOK_MAX_BYTES`; `TOO_MANY_EVENTS`: over `WEBHOOK_MAX_EVENTS`.',
    }),
  },
};
const webhookVerify: FastifySchema = {
  summary: "Meta's webhook verification handshake",
  description: 'Answers `hub.challenge` as text/plain when `hub.verify_token` equals `WEBHOOK_TOKEN`.',
  ...tags('webhooks'),
  security: [],
  querystring: doc(
    z.object({
      'hub.mode': z.literal('subscribe'),
      'hub.verify_token': z.string().describe('`WEBHOOK_TOKEN`'),
      'hub.challenge': z.string().describe('echoed back'),
    }),
  ),
  response: {
    200: contentAnswer('The challenge', { 'text/plain': { type: 'string' } }),
    ...errors(
      {
        400: '`INVALID_REQUEST`: no `hub.challenge`.',
        403: '`FORBIDDEN`: `hub.mode` is not subscribe or `hub.verify_token` is wrong.',
      },
      { store: false },
    ),
  },
};

const suppressionNumber = z.object({ number: z.string().max(64).describe('the number (normalised like an upload)') });

const addSuppressions: FastifySchema = {
  summary: 'Suppress numbers: `{numbers:[…], reason?}`, or a CSV body with a number column',
  description:
    'All or nothing: one invalid number refuses the call (source `operator`). A CSV (text/csv) body is read ' +
    "like an upload's (the same header aliases and normaliser; `phone_column=` picks the column) and is " +
    'suppressed (source `import`) only once read whole without a bad row: a bad row (400 `INVALID_ROWS`, by ' +
    'row and line), a bad file or a 413 adds no number. A number already suppressed keeps its first reason. ' +
    'Suppressed numbers are left out of later uploads (`suppressed`) and skipped at send time (`SUPPRESSED`), ' +
    'API messages included.',
  ...tags('suppressions'),
  querystring: doc(
    z.object({
      reason: z.string().max(200).optional().describe('kept with each number (CSV; JSON may put it in the body)'),
      phone_column: z.string().max(200).optional(),
    }),
  ),
  body: {
    content: {
      'application/json': { schema: doc(suppressionsBodySchema) },
      'text/csv': { schema: { type: 'string', description: 'a CSV with a header row and a number column' } },
    },
  },
  response: {
    200: answer('Suppressed', suppressionImportSchema),
    ...errors({
      ...BEARER,
      400:
        '`INVALID_NUMBERS` (JSON; `details`: `[{index, message}]`), `INVALID_ROWS` (CSV; `details`: row errors), ' +
        '`INVALID_REQUEST`, `NO_PHONE_COLUMN`, ' +
        '`NO_VALID_ROWS`, `UNPARSEABLE` (CSV).',
      413: '`UPLOAD_TOO_LARGE` / `BODY_TOO_LARGE`.',
      503: UPLOADS_BUSY,
    }),
  },
};

const listSuppressions: FastifySchema = {
  summary: 'The suppression list: paged JSON, or the whole list as CSV (`format=csv`, streamed)',
  ...tags('suppressions'),
  querystring: doc(
    z.object({
      format: z.enum(['json', 'csv']).optional(),
      limit: z.int().min(1).max(10_000).optional().describe('JSON page size (default 1,000)'),
      cursor: z.string().optional().describe('`next_cursor` of the previous page'),
    }),
  ),
  response: {
    200: {
      description: 'The list',
      content: {
        'application/json': { schema: doc(suppressionListSchema) },
        'text/csv': {
          schema: { type: 'string', description: '`number,reason,suppressed_at,source`; imports back as is' },
        },
      },
    },
    ...errors({ ...BEARER, 400: '`INVALID_REQUEST`: `format`, `limit` or `cursor` is not valid.' }),
  },
};

const getSuppression: FastifySchema = {
  summary: "One number's suppression",
  ...tags('suppressions'),
  params: doc(suppressionNumber),
  response: {
    200: answer('Suppressed', suppressionSchema),
    ...errors({ ...BEARER, 404: '`NOT_FOUND`: the number is not suppressed (or is not a number).' }),
  },
};

const removeSuppression: FastifySchema = {
  summary: "Lift a number's suppression (answers what it was)",
  ...tags('suppressions'),
  params: doc(suppressionNumber),
  response: {
    200: answer('No longer suppressed', suppressionSchema),
    ...errors({ ...BEARER, 404: '`NOT_FOUND`: the number is not suppressed (or is not a number).' }),
  },
};

const open = { security: [], ...tags('operations') };
const healthz: FastifySchema = {
  summary: 'Liveness: the process answers',
  ...open,
  response: { 200: answer('Alive', z.object({ ok: z.literal(true) })), ...errors({}, { store: false }) },
};
const readyz: FastifySchema = {
  summary: 'Readiness: Redis answers a PING within a second',
  ...open,
  response: {
    200: answer('Ready', z.object({ ok: z.literal(true), redis: z.literal('up') })),
    ...errors({ 503: '`NOT_READY`: Redis is not reachable.' }, { store: false }),
  },
};
const metrics: FastifySchema = {
  summary: 'Prometheus metrics (text exposition format)',
  ...open,
  response: {
    200: contentAnswer('Metrics', { 'text/plain': { type: 'string' } }),
    ...errors({}),
  },
};

export const routeDocs = {
  listCampaigns,
  getCampaign,
  report,
  rejected,
  control,
  upload,
  sendMessages,
  getMessage,
  listMessages,
  messageSummary,
  addSuppressions,
  listSuppressions,
  getSuppression,
  removeSuppression,
  webhook,
  webhookVerify,
  healthz,
  readyz,
  metrics,
};
