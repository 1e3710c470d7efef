import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { createCampaign } from '@sobot/campaigns';
import { HEADER_ROW_MAX } from '@sobot/ingest';
import { LANES, clip } from '@sobot/schema';
import { sendAtOption } from './send-at-option';
import { quietHoursOption } from './quiet-hours-option';
import type { AppDeps } from '../deps';
import { ApiError, uploadTooLarge } from '../errors';
import { uploadDoc } from './upload-doc';

/** Longest idempotency key, in characters. */
const IDEMPOTENCY_KEY_MAX = 255;
/** Longest campaign name, in characters. */
const NAME_MAX = 200;
const flag = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');
/** Upload options: query parameters, or multipart fields sent before the file. */
const uploadOptions = z.object({
  name: z.string().max(NAME_MAX).optional(),
  image_url: z.string().optional(),
  mime_type: z.string().optional(),
  caption: z.string().optional(),
  format: z.enum(['csv', 'json', 'ndjson', 'auto']).optional(),
  strict: flag.optional(),
  dry_run: flag.optional(),
  /** `number`: a row without a name is sent with its number as the name. */
  name_fallback: z.enum(['number', 'none']).optional(),
  /** Check image_url (reachable, JPEG/PNG, ≤ 5 MB) before accepting the list. */
  preflight: flag.optional(),
  /** Send the first N recipients (whole chunks of 200) first; go on only if few of them fail. */
  canary: z.coerce.number().int().min(1).optional(),
  /** The share of canary messages allowed to fail (default 0.2). */
  canary_max_failure_ratio: z.coerce.number().min(0).max(1).optional(),
  /** `transactional`: jump ahead of every bulk campaign (an operator's choice). */
  lane: z.enum(LANES).optional(),
  /** Share of the bulk rate relative to other running campaigns. */
  weight: z.coerce.number().int().min(1).max(100).optional(),
  /** RFC 3339 with an offset: nothing is sent before it. */
  send_at: z.string().max(40).optional(),
  /** `HH:MM-HH:MM` of each recipient's local time when nothing is sent; `off`: none (default QUIET_HOURS). */
  quiet_hours: z.string().max(40).optional(),
  /** The header of the phone column, when the file has several that could be (else 400 AMBIGUOUS_PHONE_COLUMN). */
  phone_column: z.string().max(200).optional(),
  /** The header of the name column. */
  name_column: z.string().max(200).optional(),
  /** The line holding the header (1-based, as a spreadsheet shows it); default: found in the first 20 lines. */
  header_row: z.coerce.number().int().min(1).max(HEADER_ROW_MAX).optional(),
  /**
   * The list's country (ISO 3166 alpha-2, `IN`): numbers written without + or 00 are read in it. Default
   * DEFAULT_COUNTRY_CODE, else inferred from the file (SPEC §20); an unknown one is 400 UNKNOWN_COUNTRY.
   */
  country: z.string().trim().max(40).optional(),
  /** Like the `Idempotency-Key` header (which wins when both are given). */
  idempotency_key: z.string().min(1).max(IDEMPOTENCY_KEY_MAX).optional(),
  /** `skip`: recipients outside their 24-hour window at send time are skipped (OUTSIDE_WINDOW). */
  window: z.enum(['send', 'skip']).optional(),
  /** SPEC §15: the sender (an id) or senders (comma-separated ids) to use; default every active sender. */
  sender: z.string().max(1000).optional(),
  senders: z.string().max(1000).optional(),
  /**
   * Upload anyway: with `window=skip` even when no inbound message arrived in the last 24 hours, and even when the
   * same recipients and message were accepted in the last 24 hours (else 409 DUPLICATE_UPLOAD).
   */
  force: flag
    .optional()
    .describe(
      'upload anyway: with `window=skip` even without inbound messages in the last 24 h (409 NO_INBOUND_EVENTS), ' +
        'and even when the same recipients and message were accepted in the last 24 h (409 DUPLICATE_UPLOAD)',
    ),
});
type UploadOptions = z.output<typeof uploadOptions>;

/** `text/csv; charset=utf-8` → `text/csv`. */
const mediaType = (contentType: string | undefined) => (contentType ?? '').split(';')[0]!.trim().toLowerCase();

function formatFrom(contentType: string | undefined, filename: string | undefined, explicit: UploadOptions['format']) {
  if (explicit) return explicit;
  const ct = mediaType(contentType);
  const ext = (filename ?? '').toLowerCase().split('.').pop();
  if (ct === 'text/csv' || ext === 'csv' || ext === 'tsv') return 'csv';
  if (ct === 'application/x-ndjson' || ct === 'application/jsonl' || ext === 'ndjson' || ext === 'jsonl')
    return 'ndjson';
  return 'auto';
}

/**
 * Raw bodies a recipient list may come as (browsers send .csv files as text/plain or
 * application/vnd.ms-excel; scripts often send no type or octet-stream). Anything else is a 415.
 */
const LIST_TYPES = new Set([
  '',
  'text/csv',
  'text/plain',
  'text/tab-separated-values',
  'application/csv',
  'application/vnd.ms-excel',
  'application/json',
  'application/x-ndjson',
  'application/ndjson',
  'application/jsonl',
  'application/octet-stream',
]);

function rawBodyType(contentType: string | undefined): string {
  const ct = mediaType(contentType);
  if (!LIST_TYPES.has(ct)) {
    throw new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      'a recipient list is CSV, JSON or NDJSON ' +
        `(multipart/form-data, text/csv, application/json or application/x-ndjson), not ${clip(ct)}`,
    );
  }
  return ct;
}

/** Fails the stream with 413 once more than `max` bytes went through (bodies with no Content-Length too). */
export function byteLimit(max: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      cb(seen > max ? uploadTooLarge(max) : null, chunk);
    },
  });
}

/**
 * A campaign name taken from the uploaded file's name: control characters (terminal escapes in a crafted file
 * name) become spaces, and it is capped like the `name` option. The `name` option is the operator's own words
 * and kept as given (at most NAME_MAX); clients that print it escape what they must (the CLI does).
 */
function campaignName(text: string | undefined): string {
  // eslint-disable-next-line no-control-regex
  const clean = (text ?? '').replace(/[\u0000-\u001f\u007f-\u009f]+/g, ' ').trim();
  return [...clean].slice(0, NAME_MAX).join('').trim();
}

/** The `Idempotency-Key` header, else the `idempotency_key` option. */
function idempotencyKey(req: FastifyRequest, opts: UploadOptions): string | undefined {
  const header = req.headers['idempotency-key'];
  const key = (Array.isArray(header) ? header[0] : header)?.trim() || opts.idempotency_key;
  if (key && key.length > IDEMPOTENCY_KEY_MAX)
    throw new ApiError('INVALID_REQUEST', `Idempotency-Key is longer than ${IDEMPOTENCY_KEY_MAX} characters`);
  return key;
}

/**
 * Everything of an upload request but its file, for telling a retry (same fingerprint) from another upload that
 * reuses the key: the options as given (not the name made from the time), the file's name and its format.
 */
function optionsFingerprint(opts: UploadOptions, format: string, filename: string | undefined): string {
  const { idempotency_key: _, ...rest } = opts;
  const sorted = Object.fromEntries(Object.entries(rest).sort(([a], [b]) => (a < b ? -1 : 1)));
  return createHash('sha256')
    .update(JSON.stringify([sorted, format, filename ?? null]))
    .digest('hex');
}

const clientGoneError = () => new ApiError('CLIENT_GONE', 'the client went away before the upload ended');

/** Aborted when the client goes away before its upload was read to the end. */
function clientGone(req: FastifyRequest): AbortSignal {
  const gone = new AbortController();
  req.raw.once('close', () => {
    if (!req.raw.complete) gone.abort(clientGoneError());
  });
  return gone.signal;
}

/**
 * `piped` (the body through the byte limit), failing as soon as the body fails or the client goes away: `pipe`
 * alone would leave it waiting for data that never comes, and the upload (with what it wrote) would never end.
 */
function readUntilGone(piped: Transform, body: Readable, gone: AbortSignal): Readable {
  const fail = (err: unknown) => piped.destroy(err instanceof Error ? err : new Error(String(err)));
  // A body cut off by the client (node's "aborted", ECONNRESET) is the client going away, not a server fault.
  body.once('error', (err: NodeJS.ErrnoException) =>
    fail(err.code === 'ECONNRESET' || err.message === 'aborted' ? clientGoneError() : err),
  );
  if (gone.aborted) fail(gone.reason);
  else gone.addEventListener('abort', () => fail(gone.reason), { once: true });
  return piped;
}

export async function uploadRoutes(app: FastifyInstance, deps: AppDeps): Promise<void> {
  const max = deps.cfg.MAX_UPLOAD_BYTES;
  // Uploads are streamed, never parsed whole: every body type reaches the handler as a stream.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', (_req, payload, done) => done(null, payload));
  // One byte past MAX_UPLOAD_BYTES: the byte limit refuses the file (413) before busboy cuts it short, so a file with
  // no Content-Length is never parsed truncated (a 400 about its cut last row instead of the 413).
  await app.register(multipart, { limits: { fileSize: max + 1, files: 1, fields: 20, fieldSize: 64 * 1024 } });

  const run = (
    req: FastifyRequest,
    body: Readable,
    format: ReturnType<typeof formatFrom>,
    opts: UploadOptions,
    gone: AbortSignal,
    filename?: string,
  ) => {
    const key = idempotencyKey(req, opts);
    return createCampaign(deps, {
      idempotency: key ? { key, options: optionsFingerprint(opts, format, filename) } : undefined,
      body: readUntilGone(body.pipe(byteLimit(max)), body, gone),
      format,
      name:
        opts.name?.trim() ||
        campaignName(filename) ||
        `campaign ${new Date().toISOString().slice(0, 16).replace('T', ' ')}`,
      defaults: {
        image_url: opts.image_url?.trim() || undefined,
        mime_type: opts.mime_type?.trim() || undefined,
        caption: opts.caption || undefined,
      },
      strict: opts.strict,
      dryRun: opts.dry_run,
      preflight: opts.preflight,
      canary: opts.canary ? { size: opts.canary, maxFailureRatio: opts.canary_max_failure_ratio ?? 0.2 } : undefined,
      lane: opts.lane,
      weight: opts.weight,
      sendAt: sendAtOption(opts.send_at),
      quietHours: quietHoursOption(opts.quiet_hours, deps.cfg.QUIET_HOURS),
      window: opts.window,
      senders: [opts.sender, opts.senders].filter((x): x is string => !!x),
      force: opts.force,
      country: opts.country || undefined,
      phoneColumn: opts.phone_column?.trim() || undefined,
      nameColumn: opts.name_column?.trim() || undefined,
      headerRow: opts.header_row,
      workbook: {
        limits: {
          expandedBytes: deps.cfg.MAX_XLSX_EXPANDED_BYTES,
          sharedStringsBytes: deps.cfg.MAX_XLSX_SHARED_STRINGS,
        },
      },
      validation: {
        defaultCountryCode: deps.cfg.DEFAULT_COUNTRY_CODE,
        nameFallbackToNumber: opts.name_fallback === 'number',
      },
    });
  };

  app.post('/v1/campaigns', {
    schema: uploadDoc(uploadOptions, LIST_TYPES),
    handler: async (req, reply) => {
      if (Number(req.headers['content-length'] ?? 0) > max) throw uploadTooLarge(max);
      const query = uploadOptions.parse(req.query);
      const gone = clientGone(req);
      const result = req.isMultipart()
        ? await fromMultipart(req, req.query as Record<string, unknown>, gone)
        : await run(
            req,
            req.body as Readable,
            formatFrom(rawBodyType(req.headers['content-type']), undefined, query.format),
            query,
            gone,
          );
      // A replay answers like the upload it replays (202, with `replayed: true`).
      return reply.code(result.dry_run ? 200 : 202).send(result);
    },
  });

  /**
   * Fields sent before the file are known when it arrives, so the file streams straight into the
   * campaign. A file sent before any field is spooled to a temporary file first (memory stays flat).
   */
  async function fromMultipart(req: FastifyRequest, query: Record<string, unknown>, gone: AbortSignal) {
    // `query` is the raw query string: it is parsed again together with the fields (parsing parsed flags fails).
    const fields: Record<string, string> = {};
    let result: Awaited<ReturnType<typeof run>> | undefined;
    let spooled: { dir: string; path: string; mimetype: string; filename: string } | undefined;
    try {
      for await (const part of req.parts()) {
        if (part.type === 'field') {
          // Fields after a streamed file come too late to apply: they are ignored (documented).
          if (!result) fields[part.fieldname] = String(part.value);
          continue;
        }
        if (part.fieldname !== 'file')
          throw new ApiError('UNEXPECTED_FILE', `unexpected file field "${part.fieldname}" (use "file")`);
        if (Object.keys(fields).length === 0) {
          const dir = await mkdtemp(join(tmpdir(), 'sobot-upload-'));
          spooled = { dir, path: join(dir, 'upload'), mimetype: part.mimetype, filename: part.filename };
          await pipeline(part.file, createWriteStream(spooled.path), { signal: gone });
          if (part.file.truncated) throw uploadTooLarge(max);
          continue;
        }
        const opts = uploadOptions.parse({ ...query, ...fields });
        const format = formatFrom(part.mimetype, part.filename, opts.format);
        result = await run(req, part.file, format, opts, gone, part.filename);
      }
      if (spooled) {
        const opts = uploadOptions.parse({ ...query, ...fields });
        result = await run(
          req,
          createReadStream(spooled.path),
          formatFrom(spooled.mimetype, spooled.filename, opts.format),
          opts,
          gone,
          spooled.filename,
        );
      }
    } finally {
      if (spooled) await rm(spooled.dir, { recursive: true, force: true });
    }
    if (!result) throw new ApiError('NO_FILE', 'multipart upload without a "file" part');
    return result;
  }
}
