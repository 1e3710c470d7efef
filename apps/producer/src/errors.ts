import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ZodError } from 'zod';
import { WebhookBodyError, clip, clipList } from '@sobot/schema';
import {
  ConflictError,
  IdempotencyConflictError,
  IdempotencyInProgressError,
  InputError,
  SHOWN_ERRORS,
} from '@sobot/campaigns';
import { IngestError } from '@sobot/ingest';
import {
  InvalidCursorError,
  InvalidStateError,
  NotFoundError,
  StoreFullError,
  StoreUnavailableError,
} from '@sobot/store';

/** An HTTP error with a stable code; everything the API answers with goes through toHttp below. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
  }
}

export const unauthorized = () =>
  new ApiError(401, 'UNAUTHORIZED', 'missing or invalid bearer token (Authorization: Bearer <API key>)');
export const uploadTooLarge = (max: number) =>
  new ApiError(413, 'UPLOAD_TOO_LARGE', `upload is larger than MAX_UPLOAD_BYTES (${max} bytes)`);
export const tooManyUploads = (max: number) =>
  new ApiError(
    503,
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

/** Maps every error class to its status and code, once. Unknown errors are 500 with no detail. */
function toHttp(err: unknown): ApiError | undefined {
  if (err instanceof ApiError) return err;
  if (err instanceof IngestError)
    return new ApiError(
      err.code === 'WORKBOOK_TOO_LARGE' ? 413 : 400,
      err.code,
      err.message,
      shownDetails(err.details),
    );
  if (err instanceof WebhookBodyError) return new ApiError(400, err.code, err.message);
  if (err instanceof InputError) return new ApiError(400, err.code, err.message, err.details);
  if (err instanceof IdempotencyConflictError) return new ApiError(409, err.code, err.message);
  if (err instanceof IdempotencyInProgressError) return new ApiError(409, err.code, err.message);
  if (err instanceof ConflictError) return new ApiError(409, err.code, err.message, err.details);
  if (err instanceof NotFoundError) return new ApiError(404, err.code, err.message);
  if (err instanceof InvalidCursorError)
    return new ApiError(400, err.code, err.message, [{ field: 'cursor', message: err.message }]);
  if (err instanceof InvalidStateError) return new ApiError(409, err.code, err.message, { status: err.current });
  if (err instanceof ZodError) {
    const details = err.issues
      .slice(0, 100)
      .map((i) => ({ field: clip(i.path.join('.') || 'body'), message: clip(i.message) }));
    return new ApiError(
      400,
      'INVALID_REQUEST',
      clipList(
        details.map((d) => `${d.field}: ${d.message}`),
        1_000,
        '; ',
      ),
      details,
    );
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_REQ_FILE_TOO_LARGE') return new ApiError(413, 'UPLOAD_TOO_LARGE', fe.message);
  if (fe.validation) return new ApiError(400, 'INVALID_REQUEST', fe.message);
  if (err instanceof StoreUnavailableError) return new ApiError(503, err.code, err.message);
  if (err instanceof StoreFullError) return new ApiError(507, err.code, err.message);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    const code = FRAMEWORK_CODES[fe.code] ?? 'BAD_REQUEST';
    return new ApiError(fe.statusCode, code, fe.message);
  }
  return undefined;
}

/** Fastify's codes for a body it could not read, as this API names them. */
const FRAMEWORK_CODES: Record<string, string> = {
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
    .code(404)
    .type('application/json; charset=utf-8')
    .send(errorJson('NOT_FOUND', 'no such resource: the path does not name one'));
}

/** What node's HTTP parser refuses before a request exists, with the status node itself would answer. */
const CLIENT_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [
    431,
    'HEADERS_TOO_LARGE',
    'request header fields are too large (node allows 16 KiB in all by default)',
  ],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'REQUEST_TIMEOUT', 'the request was not received in time'],
};

/**
 * Node's HTTP server answers a request it cannot parse (431 header overflow, 400 malformed, 408 timeout)
 * before fastify sees it; this gives those answers the API's error shape. It writes to the raw socket
 * because there is no request or reply to go through.
 */
export function clientErrorHandler(this: FastifyInstance, err: NodeJS.ErrnoException, socket: Socket): void {
  if (err.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, code, message] = CLIENT_ERRORS[err.code ?? ''] ?? [400, 'BAD_REQUEST', 'malformed HTTP request'];
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
      return reply.code(500).send({ error: { code: 'INTERNAL', message: 'internal error' } });
    }
    // Basic-auth pages set their own challenge; /v1 asks for a bearer token.
    if (api.statusCode === 401 && !reply.hasHeader('www-authenticate')) void reply.header('www-authenticate', 'Bearer');
    if (api.code === 'IDEMPOTENCY_IN_PROGRESS' || api.code === 'TOO_MANY_UPLOADS')
      void reply.header('retry-after', '1');
    // Nobody reads this answer: the line says the upload's handler ended (and removed what it had written).
    if (api.code === 'CLIENT_GONE') req.log.info({ code: api.code }, 'upload ended: the client went away');
    return reply.code(api.statusCode).send({
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
      .code(404)
      .send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${clip(req.url.split('?')[0]!)}` } }),
  );
}
