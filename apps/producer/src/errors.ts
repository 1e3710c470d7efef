import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import type { WebhookBodyError } from '@sobot/schema';
import { clip, clipList } from '@sobot/schema';
import { SHOWN_ERRORS, type CampaignErrorCode } from '@sobot/campaigns';
import type { IngestErrorCode } from '@sobot/ingest';
import type { StoreErrorCode } from '@sobot/store';

/** Codes only the HTTP edge gives: credentials, bodies, routing and node's own parser. */
export type HttpErrorCode =
  | 'UNAUTHORIZED'
  | 'SESSION_EXPIRED'
  | 'CROSS_ORIGIN'
  | 'FORBIDDEN'
  | 'BAD_REQUEST'
  | 'INVALID_JSON'
  | 'CLIENT_GONE'
  | 'NO_FILE'
  | 'UNEXPECTED_FILE'
  | 'REQUEST_TIMEOUT'
  | 'UPLOAD_TOO_LARGE'
  | 'BODY_TOO_LARGE'
  | 'TOO_MANY_EVENTS'
  | 'UNSUPPORTED_MEDIA_TYPE'
  | 'HEADERS_TOO_LARGE'
  | 'TOO_MANY_AUTH_FAILURES'
  | 'INTERNAL'
  | 'TOO_MANY_UPLOADS';

/** Every code an error answer can carry: the packages' and the edge's. */
export type ErrorCode = StoreErrorCode | IngestErrorCode | CampaignErrorCode | WebhookBodyError['code'] | HttpErrorCode;

/**
 * The one table from an error's `code` to its HTTP status. Typed over every package's codes, so a code added to a
 * package without a status here does not compile (and test/error-status.test.ts checks the lists at run time).
 */
export const HTTP_STATUS: Readonly<Record<ErrorCode, number>> = {
  // 400: the request is wrong; `details` says where.
  INVALID_REQUEST: 400,
  BAD_REQUEST: 400,
  INVALID_JSON: 400,
  INVALID_WEBHOOK: 400,
  INVALID_MESSAGES: 400,
  INVALID_NUMBERS: 400,
  INVALID_ROWS: 400,
  INVALID_DEFAULTS: 400,
  INVALID_URL: 400,
  URL_NOT_PUBLIC: 400,
  IMAGE_PREFLIGHT_FAILED: 400,
  UNPARSEABLE: 400,
  NO_PHONE_COLUMN: 400,
  AMBIGUOUS_PHONE_COLUMN: 400,
  UNKNOWN_COLUMN: 400,
  UNKNOWN_VARIABLE: 400,
  NO_VALID_ROWS: 400,
  STRICT_REJECTED: 400,
  UNKNOWN_COUNTRY: 400,
  UNKNOWN_SENDER: 400,
  NO_FILE: 400,
  UNEXPECTED_FILE: 400,
  CLIENT_GONE: 400,
  BAD_NUMBER: 400,
  BAD_CURSOR: 400,
  TOO_MANY_REASONS: 400,
  UNAUTHORIZED: 401,
  SESSION_EXPIRED: 401,
  FORBIDDEN: 403,
  CROSS_ORIGIN: 403,
  NOT_FOUND: 404,
  REQUEST_TIMEOUT: 408,
  // 409: the request conflicts with what is there; a retry as it is will not help (IDEMPOTENCY_IN_PROGRESS aside).
  INVALID_STATE: 409,
  NO_INBOUND_EVENTS: 409,
  DUPLICATE_UPLOAD: 409,
  IDEMPOTENCY_KEY_REUSED: 409,
  IDEMPOTENCY_IN_PROGRESS: 409,
  UPLOAD_TOO_LARGE: 413,
  BODY_TOO_LARGE: 413,
  TOO_MANY_EVENTS: 413,
  WORKBOOK_TOO_LARGE: 413,
  UNSUPPORTED_MEDIA_TYPE: 415,
  TOO_MANY_AUTH_FAILURES: 429,
  HEADERS_TOO_LARGE: 431,
  INTERNAL: 500,
  STORE_UNAVAILABLE: 503,
  TOO_MANY_UPLOADS: 503,
  STORE_FULL: 507,
};

export const isErrorCode = (code: unknown): code is ErrorCode =>
  typeof code === 'string' && Object.prototype.hasOwnProperty.call(HTTP_STATUS, code);

/** Codes whose answer carries `Retry-After`: the same request will succeed shortly. */
const RETRY_LATER = new Set<ErrorCode>(['IDEMPOTENCY_IN_PROGRESS', 'TOO_MANY_UPLOADS']);

/** An error of the HTTP edge itself: its status is its code's (HTTP_STATUS). */
export class ApiError extends Error {
  readonly statusCode: number;
  readonly code: ErrorCode;
  readonly details?: unknown;
  constructor(code: ErrorCode, message: string, details?: unknown);
  /** @deprecated the status comes from the code: `new ApiError(code, message, details?)`. */
  constructor(status: number, code: ErrorCode, message: string, details?: unknown);
  constructor(first: ErrorCode | number, second: string, third?: unknown, fourth?: unknown) {
    const legacy = typeof first === 'number';
    super(legacy ? String(third) : second);
    this.code = (legacy ? second : first) as ErrorCode;
    this.statusCode = HTTP_STATUS[this.code];
    this.details = legacy ? fourth : third;
  }
}

export const unauthorized = () =>
  new ApiError('UNAUTHORIZED', 'missing or invalid bearer token (Authorization: Bearer <API key>)');
export const uploadTooLarge = (max: number) =>
  new ApiError('UPLOAD_TOO_LARGE', `upload is larger than MAX_UPLOAD_BYTES (${max} bytes)`);
export const tooManyUploads = (max: number) =>
  new ApiError(
    'TOO_MANY_UPLOADS',
    `${max} uploads are being read already (MAX_CONCURRENT_UPLOADS): try again after Retry-After seconds`,
  );

/** Row errors in an error answer are capped like those of an accepted upload (counts stay exact). */
function shownDetails(details: unknown): unknown {
  if (details && typeof details === 'object' && 'errors' in details && Array.isArray(details.errors)) {
    return { ...details, errors: details.errors.slice(0, SHOWN_ERRORS) };
  }
  return details;
}

interface HttpAnswer {
  status: number;
  code: string;
  message: string;
  details?: unknown;
}

/**
 * An error as the API answers it: its `code` (fastify's own codes renamed, FRAMEWORK_CODES) gives the status
 * through HTTP_STATUS. An error whose code is in no table is a bug: undefined, answered 500 with no detail.
 */
function toHttp(err: unknown): HttpAnswer | undefined {
  if (err instanceof ZodError) return invalidRequest(err);
  if (!(err instanceof Error)) return undefined;
  const e = err as FastifyError & { details?: unknown };
  const code = FRAMEWORK_CODES[e.code] ?? e.code;
  if (isErrorCode(code)) {
    return { status: HTTP_STATUS[code], code, message: err.message, details: shownDetails(e.details) };
  }
  if (e.validation) return { status: HTTP_STATUS.INVALID_REQUEST, code: 'INVALID_REQUEST', message: e.message };
  // Any other client error fastify raises (its code is its own): its status, in the API's shape.
  if (typeof e.statusCode === 'number' && e.statusCode >= 400 && e.statusCode < 500) {
    return { status: e.statusCode, code: 'BAD_REQUEST', message: e.message };
  }
  return undefined;
}

function invalidRequest(err: ZodError): HttpAnswer {
  const details = err.issues
    .slice(0, 100)
    .map((i) => ({ field: clip(i.path.join('.') || 'body'), message: clip(i.message) }));
  const message = clipList(
    details.map((d) => `${d.field}: ${d.message}`),
    1_000,
    '; ',
  );
  return { status: HTTP_STATUS.INVALID_REQUEST, code: 'INVALID_REQUEST', message, details };
}

/** Fastify's codes for a body it could not read, as this API names them. */
const FRAMEWORK_CODES: Record<string, ErrorCode> = {
  FST_REQ_FILE_TOO_LARGE: 'UPLOAD_TOO_LARGE',
  FST_ERR_CTP_BODY_TOO_LARGE: 'BODY_TOO_LARGE',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'BAD_REQUEST',
};

const errorJson = (code: string, message: string) => JSON.stringify({ error: { code, message } });

/**
 * Errors fastify meets while routing, before any handler or hook: a path that does not decode, a path
 * parameter over `maxParamLength`. Either way the path names nothing: 404, like an unknown id.
 */
export function frameworkErrors(err: FastifyError, req: FastifyRequest, reply: FastifyReply): void {
  req.log.debug({ code: err.code }, 'unroutable path');
  void reply
    .code(HTTP_STATUS.NOT_FOUND)
    .type('application/json; charset=utf-8')
    .send(errorJson('NOT_FOUND', 'no such resource: the path does not name one'));
}

/** What node's HTTP parser refuses before a request exists, with the status node itself would answer. */
const CLIENT_ERRORS: Record<string, [ErrorCode, string]> = {
  HPE_HEADER_OVERFLOW: [
    'HEADERS_TOO_LARGE',
    'request header fields are too large (node allows 16 KiB in all by default)',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: ['REQUEST_TIMEOUT', 'the request was not received in time'],
};

/**
 * Node's HTTP server answers a request it cannot parse (431 header overflow, 400 malformed, 408 timeout)
 * before fastify sees it; this gives those answers the API's error shape. It writes to the raw socket
 * because there is no request or reply to go through.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [code, message] = CLIENT_ERRORS[err.code ?? ''] ?? ['BAD_REQUEST', 'malformed HTTP request'];
  const status = HTTP_STATUS[code];
  this.log.debug({ code: err.code }, 'client error');
  if (socket.writable) {
    const body = errorJson(code, message);
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
        `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy();
}

export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err, req, reply) => {
    const api = toHttp(err);
    if (!api) {
      req.log.error({ err }, 'unhandled error');
      return reply.code(HTTP_STATUS.INTERNAL).send({ error: { code: 'INTERNAL', message: 'internal error' } });
    }
    // Basic-auth pages set their own challenge; /v1 asks for a bearer token.
    if (api.status === 401 && !reply.hasHeader('www-authenticate')) void reply.header('www-authenticate', 'Bearer');
    if (RETRY_LATER.has(api.code as ErrorCode)) void reply.header('retry-after', '1');
    // Nobody reads this answer: the line says the upload's handler ended (and removed what it had written).
    if (api.code === 'CLIENT_GONE') req.log.info({ code: api.code }, 'upload ended: the client went away');
    return reply.code(api.status).send({
      // The message is capped here too: an error built from caller input never echoes more than a little of it.
      error: {
        code: api.code,
        message: clip(api.message, 1_000),
        ...(api.details === undefined ? {} : { details: api.details }),
      },
    });
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .code(HTTP_STATUS.NOT_FOUND)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${clip(req.url.split('?')[0]!)}` } }),
  );
}
