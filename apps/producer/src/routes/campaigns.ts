import type { FastifyInstance, FastifySchema } from 'fastify';
import { z } from 'zod';
import { formatRejected, formatReport, REPORT_CONTENT_TYPES, REPORT_FORMATS, retryFailed } from '@sobot/campaigns';
import {
  CAMPAIGN_STATUSES,
  RETRY_INCLUDES,
  campaignListSchema,
  campaignViewSchema,
  controlResultSchema,
  reportRowSchema,
  rowErrorSchema,
  type CampaignStatus,
  type RetryInclude,
} from '@sobot/schema';
import { NotFoundError } from '@sobot/store';
import type { AppDeps } from '../deps';
import { schemas, answer, answerSchema, BEARER, contentAnswer, doc, errors } from '../doc';
import { campaignIdParams, pathId } from './ids';

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
function retryFailedOptions(query: unknown, body: unknown): { include: RetryInclude } {
  const fromBody = body && typeof body === 'object' ? retryInclude.parse(body).include : undefined;
  return { include: retryInclude.parse(query ?? {}).include ?? fromBody ?? 'retryable' };
}

const NOT_FOUND = { NOT_FOUND: 'no campaign with this id (unknown or malformed).' };
const BAD_FORMAT = { INVALID_REQUEST: 'unknown format.' };
const tags = ['campaigns'];

/** A report in the format asked for: CSV, a workbook, JSON or NDJSON rows. */
const rowsAnswer = (description: string, row: z.ZodType, name: string) =>
  contentAnswer(description, {
    'text/csv': {
      type: 'string',
      description:
        "RFC 4180 with a UTF-8 BOM and a header row; a cell starting with = + - @ tab or CR gets a leading '",
    },
    [REPORT_CONTENT_TYPES.xlsx]: {
      type: 'string',
      format: 'binary',
      description: 'an .xlsx workbook: the same columns as text cells, a frozen header row and a filter',
    },
    'application/json': { type: 'array', items: answerSchema(row) },
    'application/x-ndjson': { type: 'string', description: `one ${name} JSON object per line` },
  });

const ACTIONS: Record<string, { summary: string; description?: string }> = {
  pause: { summary: 'Pause a campaign: every worker stops requesting within ~0.5 s' },
  resume: { summary: 'Resume a paused campaign (also lifts a system-wide pause)' },
  cancel: { summary: 'Cancel a campaign: what was sent, failed or skipped stays so, the rest is cancelled' },
  'retry-failed': {
    summary:
      'Put the retryable failed recipients back to pending, with the campaign’s image and caption (not the skipped)',
    description:
      'Takes the failures the send policy calls retryable (timeouts, network errors, 408/5xx, 429 and the ' +
      'throttles 130429/131056/131048, 131000, 131016, 131057, 133004, 1, 2, and 131049 after 24 h) and leaves ' +
      'the permanent ones (131026, 131047, 131050, 131051, 131008, 131009, 131021, 131052, 131053, other 4xx) ' +
      'and `NO_WAMID` (a 200 without an id: it may have gone out) unless `include=all` (query, or ' +
      '`{"include":"all"}` as JSON body). A 131049 within 24 h is left even then. The answer says how many it ' +
      'took (`retried`) and left (`left`, by reason), and per failure code (`by_code`).',
  },
};
const controlDoc = (action: string): FastifySchema => ({
  ...ACTIONS[action],
  ...(action === 'retry-failed' ? { querystring: doc(retryInclude), body: doc(retryInclude) } : {}),
  tags,
  params: doc(campaignIdParams),
  response: {
    200: answer('The campaign after the action', controlResultSchema),
    ...errors({
      ...BEARER,
      ...NOT_FOUND,
      INVALID_STATE: 'not possible in the campaign’s status (e.g. resuming a cancelled one).',
      ...(action === 'retry-failed' ? { INVALID_REQUEST: '`include` is not `retryable` or `all`.' } : {}),
    }),
  },
});

const docs = schemas({
  list: {
    summary: 'List campaigns, newest first',
    tags,
    querystring: doc(listQuery),
    response: {
      200: answer('Campaigns', campaignListSchema),
      ...errors({
        ...BEARER,
        INVALID_REQUEST: '`limit` out of range, `status` not a campaign status, or `cursor` not one handed out.',
      }),
    },
  },
  get: {
    summary: 'Campaign status, counts, rate and ETA',
    description:
      'sent + failed + skipped + cancelled + pending = total. `skipped` recipients were not requested on purpose ' +
      '(`skip_reasons`: SUPPRESSED, OUTSIDE_WINDOW, FREQUENCY_CAP). A campaign the system paused says why in ' +
      '`paused_reason`; the campaign breaker pauses one whose upstream code failed half of its first 50 ' +
      'requests (or of any 200) and names the code there (e.g. `campaign breaker: 131053 (Media upload error) ' +
      'failed 25 of the first 41 requests; …`). Resuming it starts a fresh count.',
    tags,
    params: doc(campaignIdParams),
    response: { 200: answer('The campaign', campaignViewSchema), ...errors({ ...BEARER, ...NOT_FOUND }) },
  },
  report: {
    summary: 'One row per recipient (streamed)',
    description:
      '`status` is pending, sent, failed, skipped or cancelled; a skipped row carries its reason in `error_code` ' +
      '(SUPPRESSED, OUTSIDE_WINDOW, FREQUENCY_CAP) and `error_message`.',
    tags,
    params: doc(campaignIdParams),
    querystring: doc(reportQuery),
    response: {
      200: rowsAnswer('The report, in the format asked for', reportRowSchema, 'report row'),
      ...errors({ ...BEARER, ...NOT_FOUND, ...BAD_FORMAT }),
    },
  },
  rejected: {
    summary: 'The rows the upload rejected, with row number, field and reason',
    tags,
    params: doc(campaignIdParams),
    querystring: doc(reportQuery),
    response: {
      200: rowsAnswer('The rejected rows, in the format asked for', rowErrorSchema, 'row error'),
      ...errors({ ...BEARER, ...NOT_FOUND, ...BAD_FORMAT }),
    },
  },
});

export async function campaignRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const { store } = deps;
  const { campaigns: reader, control } = store;
  /** The campaign of the path, or a 404 (before anything is done in its name). */
  const existing = async (params: unknown) => {
    const id = pathId(campaignIdParams, params, 'campaign');
    if (!(await reader.meta(id))) throw new NotFoundError(`campaign ${id}`);
    return id;
  };

  app.get('/v1/campaigns', { schema: docs.list }, async (req) => {
    const q = listQuery.parse(req.query);
    return reader.listPage({ limit: q.limit, cursor: q.cursor, statuses: q.status });
  });

  app.get('/v1/campaigns/:id', { schema: docs.get }, async (req) => {
    const id = pathId(campaignIdParams, req.params, 'campaign');
    const view = await reader.view(id);
    if (!view) throw new NotFoundError(`campaign ${id}`);
    return view;
  });

  app.get('/v1/campaigns/:id/report', {
    schema: docs.report,
    handler: async (req, reply) => {
      const id = await existing(req.params);
      const { format } = reportQuery.parse(req.query);
      return reply
        .header('content-type', REPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="report-${id}.${format}"`)
        .send(formatReport(reader.report(id), format));
    },
  });

  app.get('/v1/campaigns/:id/rejected', {
    schema: docs.rejected,
    handler: async (req, reply) => {
      const id = await existing(req.params);
      const { format } = reportQuery.parse(req.query);
      const file = await reader.rejectedFile(id);
      return reply
        .header('content-type', REPORT_CONTENT_TYPES[format])
        .header('content-disposition', `attachment; filename="rejected-${id}.${format}"`)
        .send(formatRejected(file, format));
    },
  });

  for (const action of Object.keys(ACTIONS)) {
    app.post(`/v1/campaigns/:id/${action}`, { schema: controlDoc(action) }, async (req) => {
      // Checked first: `resume` lifts a system-wide pause, which an unknown id must not do.
      const id = await existing(req.params);
      const result =
        action === 'pause'
          ? await control.pause(id)
          : action === 'resume'
            ? await control.resume(id)
            : action === 'cancel'
              ? await control.cancel(id)
              : await retryFailed(deps, id, retryFailedOptions(req.query, req.body).include);
      const view = await reader.view(id);
      if (!view) throw new NotFoundError(`campaign ${id}`);
      const { status: _, ...extra } = result;
      return { ...view, ...extra };
    });
  }
}
