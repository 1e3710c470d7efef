import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import {
  getSuppression,
  importSuppressions,
  listSuppressions,
  suppressNumbers,
  suppressionKey,
  suppressionsCsv,
  unsuppressNumber,
} from '@sobot/campaigns';
import {
  suppressionImportSchema,
  suppressionListSchema,
  suppressionSchema,
  suppressionsBodySchema,
} from '@sobot/schema';
import { NotFoundError } from '@sobot/store';
import type { AppDeps } from '../deps';
import { answer, BEARER, doc, errors, schemas } from '../doc';
import { ApiError } from '../errors';
import { byteLimit } from './upload';

/** Bodies read as a list of numbers (CSV, or JSON / NDJSON rows with a number key) rather than `{numbers}`. */
const LIST_TYPES = ['text/csv', 'text/plain', 'application/csv', 'application/x-ndjson', 'application/octet-stream'];

export const suppressionImportQuery = z.object({
  reason: z.string().trim().min(1).max(200).optional().describe('kept with every number of a CSV body'),
  phone_column: z.string().max(200).optional().describe('the number column, when several headers could be'),
});
export const suppressionListQuery = z.object({
  format: z.enum(['json', 'csv']).default('json').describe('csv: the whole list, streamed (no paging)'),
  limit: z.coerce.number().int().min(1).max(10_000).default(1_000),
  cursor: z
    .string()
    .regex(/^\d{1,6}\.\d{1,6}$/)
    .optional()
    .describe('`next_cursor` of the previous page'),
});
export const suppressionParams = z.object({
  number: z.string().max(64).describe('the number, as an upload would have it (normalised the same way)'),
});

const tags = ['suppressions'];
const NOT_SUPPRESSED = { NOT_FOUND: 'the number is not suppressed (or is not a number).' };
const docs = schemas({
  add: {
    summary: 'Suppress numbers: `{numbers:[…], reason?}`, or a CSV body with a number column',
    description:
      'All or nothing: one invalid number refuses the call (source `operator`). A CSV (text/csv) body is read ' +
      "like an upload's (the same header aliases and normaliser; `phone_column=` picks the column) and is " +
      'suppressed (source `import`) only once read whole without a bad row: a bad row (400 `INVALID_ROWS`, by ' +
      'row and line), a bad file or a 413 adds no number. A number already suppressed keeps its first reason. ' +
      'Suppressed numbers are left out of later uploads (`suppressed`) and skipped at send time (`SUPPRESSED`), ' +
      'API messages included.',
    tags,
    querystring: doc(suppressionImportQuery),
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
        INVALID_NUMBERS: 'JSON; `details`: `[{index, message}]`.',
        INVALID_ROWS: 'CSV; `details`: row errors.',
        INVALID_REQUEST: '',
        NO_PHONE_COLUMN: '',
        NO_VALID_ROWS: '',
        UNPARSEABLE: 'CSV.',
        UPLOAD_TOO_LARGE: '',
        BODY_TOO_LARGE: '',
        TOO_MANY_UPLOADS: '`MAX_CONCURRENT_UPLOADS` uploads and imports are being read; retry after `Retry-After`.',
      }),
    },
  },
  list: {
    summary: 'The suppression list: paged JSON, or the whole list as CSV (`format=csv`, streamed)',
    tags,
    querystring: doc(suppressionListQuery),
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
      ...errors({ ...BEARER, INVALID_REQUEST: '`format`, `limit` or `cursor` is not valid.' }),
    },
  },
  get: {
    summary: "One number's suppression",
    tags,
    params: doc(suppressionParams),
    response: { 200: answer('Suppressed', suppressionSchema), ...errors({ ...BEARER, ...NOT_SUPPRESSED }) },
  },
  remove: {
    summary: "Lift a number's suppression (answers what it was)",
    tags,
    params: doc(suppressionParams),
    response: { 200: answer('No longer suppressed', suppressionSchema), ...errors({ ...BEARER, ...NOT_SUPPRESSED }) },
  },
});

/** SPEC §12: the suppression list. */
export async function suppressionRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const validation = { defaultCountryCode: deps.cfg.DEFAULT_COUNTRY_CODE };
  // A CSV body is streamed, never held whole; JSON `{numbers}` keeps the default parser.
  app.addContentTypeParser(LIST_TYPES, (_req, payload, done) => done(null, payload));

  app.post('/v1/suppressions', {
    schema: docs.add,
    handler: async (req, reply) => {
      const query = suppressionImportQuery.parse(req.query);
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (LIST_TYPES.includes(type)) {
        const body = req.body as Readable;
        const limited = body.pipe(byteLimit(deps.cfg.MAX_UPLOAD_BYTES));
        body.once('error', (err) => limited.destroy(err));
        const result = await importSuppressions(
          deps,
          limited,
          {
            reason: query.reason,
            phoneColumn: query.phone_column,
            format: type === 'application/x-ndjson' ? 'ndjson' : 'auto',
          },
          validation,
        );
        return reply.code(200).send(result);
      }
      const body = suppressionsBodySchema.parse(req.body);
      return reply.code(200).send(await suppressNumbers(deps, body.numbers, body.reason ?? query.reason, validation));
    },
  });

  app.get('/v1/suppressions', {
    schema: docs.list,
    handler: async (req, reply) => {
      const query = suppressionListQuery.parse(req.query);
      if (query.format === 'csv') {
        return reply
          .header('content-type', 'text/csv; charset=utf-8')
          .header('content-disposition', 'attachment; filename="suppressions.csv"')
          .send(Readable.from(suppressionsCsv(deps)));
      }
      return listSuppressions(deps, query.limit, query.cursor);
    },
  });

  const numberOf = (params: unknown): string => {
    const raw = suppressionParams.safeParse(params);
    const key = raw.success ? suppressionKey(raw.data.number, validation) : undefined;
    if (!key) throw new NotFoundError('suppression of this number');
    return key;
  };

  app.get('/v1/suppressions/:number', { schema: docs.get }, async (req) => {
    const number = numberOf(req.params);
    const found = await getSuppression(deps, number);
    if (!found) throw new ApiError('NOT_FOUND', 'this number is not suppressed');
    return found;
  });

  app.delete('/v1/suppressions/:number', { schema: docs.remove }, async (req) => {
    const number = numberOf(req.params);
    const removed = await unsuppressNumber(deps, number);
    if (!removed) throw new ApiError('NOT_FOUND', 'this number is not suppressed');
    return removed;
  });
}
