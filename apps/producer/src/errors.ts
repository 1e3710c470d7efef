import type { FastifyError, FastifyInstance } from 'fastify';
import { ZodError } from 'zod';
import { WebhookBodyError } from '@sobot/schema';
import { IdempotencyConflictError, InputError, SHOWN_ERRORS } from '@sobot/campaigns';
import { IngestError } from '@sobot/ingest';
import { InvalidStateError, NotFoundError, StoreFullError, StoreUnavailableError } from '@sobot/store';

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
  if (err instanceof IngestError) return new ApiError(400, err.code, err.message, shownDetails(err.details));
  if (err instanceof WebhookBodyError) return new ApiError(400, err.code, err.message);
  if (err instanceof InputError) return new ApiError(400, err.code, err.message, err.details);
  if (err instanceof IdempotencyConflictError) return new ApiError(409, err.code, err.message);
  if (err instanceof NotFoundError) return new ApiError(404, err.code, err.message);
  if (err instanceof InvalidStateError) return new ApiError(409, err.code, err.message, { status: err.current });
  if (err instanceof ZodError) {
    const details = err.issues.map((i) => ({ field: i.path.join('.') || 'body', message: i.message }));
    return new ApiError(400, 'INVALID_REQUEST', details.map((d) => `${d.field}: ${d.message}`).join('; '), details);
  }
  const fe = err as FastifyError;
  if (fe.code === 'FST_REQ_FILE_TOO_LARGE' || fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE')
    return new ApiError(413, 'UPLOAD_TOO_LARGE', fe.message);
  if (fe.validation) return new ApiError(400, 'INVALID_REQUEST', fe.message);
  if (err instanceof StoreUnavailableError) return new ApiError(503, err.code, err.message);
  if (err instanceof StoreFullError) return new ApiError(507, err.code, err.message);
  if (typeof fe.statusCode === 'number' && fe.statusCode >= 400 && fe.statusCode < 500) {
    return new ApiError(fe.statusCode, fe.code ?? 'BAD_REQUEST', fe.message);
  }
  return undefined;
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
    return reply.code(api.statusCode).send({
      error: { code: api.code, message: api.message, ...(api.details === undefined ? {} : { details: api.details }) },
    });
  });
  app.setNotFoundHandler((req, reply) =>
    reply.code(404).send({ error: { code: 'NOT_FOUND', message: `no route ${req.method} ${req.url.split('?')[0]}` } }),
  );
}
