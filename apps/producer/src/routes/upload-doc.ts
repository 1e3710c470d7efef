import type { FastifySchema } from 'fastify';
import { z } from 'zod';
import { uploadResultSchema } from '@sobot/schema';
import { answer, BEARER, doc, errors, type JsonSchema } from '../doc';

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
export function uploadDoc(options: z.ZodObject, rawTypes: Iterable<string>): FastifySchema {
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
    tags: ['campaigns'],
    querystring: form,
    headers: doc(z.object({ 'idempotency-key': z.string().min(1).max(255).optional() })),
    body: { content },
    response: {
      202: answer('Accepted: the campaign is queued', uploadResultSchema),
      200: answer('`dry_run=true`: validated and counted, nothing stored', uploadResultSchema),
      ...errors({
        ...BEARER,
        INVALID_REQUEST: 'an option. Whatever the 400, nothing is kept.',
        UNPARSEABLE: '',
        NO_PHONE_COLUMN: '',
        AMBIGUOUS_PHONE_COLUMN: '',
        UNKNOWN_COLUMN: '',
        UNKNOWN_VARIABLE: '',
        NO_VALID_ROWS: '',
        STRICT_REJECTED: '',
        INVALID_DEFAULTS: '',
        IMAGE_PREFLIGHT_FAILED: '',
        NO_FILE: '',
        UNEXPECTED_FILE: '',
        UNKNOWN_COUNTRY: 'the `country` option is not a country with a numbering plan.',
        NO_INBOUND_EVENTS:
          '`window=skip`, but no inbound message arrived in the last 24 hours (every recipient would be ' +
          'skipped); add `force=true` to upload anyway. Nothing is kept.',
        DUPLICATE_UPLOAD:
          'the same recipients and message (whatever the row order or campaign name) were accepted in the last ' +
          '24 hours; `details.campaign` is `{id, name, created_at}` of that campaign; add `force=true` to upload ' +
          'anyway. Nothing is kept.',
        IDEMPOTENCY_IN_PROGRESS: 'an upload with this key is still being read (retry after `Retry-After`).',
        IDEMPOTENCY_KEY_REUSED: 'the key was used with other options or another file.',
        UPLOAD_TOO_LARGE: 'over `MAX_UPLOAD_BYTES`.',
        WORKBOOK_TOO_LARGE:
          'an .xlsx expanding past `MAX_XLSX_EXPANDED_BYTES`, shared strings past `MAX_XLSX_SHARED_STRINGS`, ' +
          'or a cell or row over 1 MiB. Nothing is kept.',
        UNSUPPORTED_MEDIA_TYPE: 'the raw body is not CSV, JSON or NDJSON.',
        TOO_MANY_UPLOADS: '`MAX_CONCURRENT_UPLOADS` uploads and imports are being read; retry after `Retry-After`.',
      }),
    },
  };
}
