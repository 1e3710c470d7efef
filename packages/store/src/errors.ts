/** Every code a store error carries (the producer maps each to one HTTP status). */
export const STORE_ERROR_CODES = [
  'NOT_FOUND',
  'INVALID_STATE',
  'INVALID_REQUEST',
  'STORE_UNAVAILABLE',
  'STORE_FULL',
  'BAD_NUMBER',
  'BAD_CURSOR',
  'TOO_MANY_REASONS',
] as const;
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

/** Base of the store's errors: a stable `code` for the API's error handler, and `details` for its answer. */
export class StoreError extends Error {
  details?: unknown;
  constructor(
    readonly code: StoreErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** No campaign (or message) with that id. */
export class NotFoundError extends StoreError {
  constructor(what: string) {
    super('NOT_FOUND', `${what} not found`);
  }
}

/** The campaign's current status does not allow the operation. */
export class InvalidStateError extends StoreError {
  constructor(
    readonly current: string,
    operation: string,
  ) {
    super('INVALID_STATE', `cannot ${operation} a campaign that is ${current}`);
    this.details = { status: current };
  }
}

/** A list cursor that this API did not hand out (or that was altered). */
export class InvalidCursorError extends StoreError {
  constructor() {
    super('INVALID_REQUEST', 'cursor: not a next_cursor this API handed out');
    this.details = [{ field: 'cursor', message: this.message }];
  }
}

/** Redis could not be reached for a command (refused, closed, retries used up): try again later. */
export class StoreUnavailableError extends StoreError {
  constructor(cause: unknown) {
    super('STORE_UNAVAILABLE', 'Redis is unreachable: try again shortly');
    this.cause = cause;
  }
}

/** Redis refuses writes: it reached maxmemory (with noeviction). Nothing was half-written by the call. */
export class StoreFullError extends StoreError {
  constructor(cause: unknown) {
    super('STORE_FULL', 'Redis is out of memory and refuses writes: try again once space is freed');
    this.cause = cause;
  }
}

const UNREACHABLE_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH']);

/**
 * The one place that reads raw Redis client errors: a connection that is gone (ioredis's retries used up, a
 * refused or closed socket) becomes StoreUnavailableError, an OOM reply StoreFullError; anything else is
 * returned as it is.
 */
export function toStoreError(err: unknown): unknown {
  if (err instanceof StoreError || !err || typeof err !== 'object') return err;
  const e = err as { name?: unknown; code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : '';
  if (e.name === 'ReplyError' && isOutOfMemory(err)) return new StoreFullError(err);
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'ClusterAllFailedError')
    return new StoreUnavailableError(err);
  if (typeof e.code === 'string' && UNREACHABLE_CODES.has(e.code)) return new StoreUnavailableError(err);
  if (
    message.startsWith('Connection is closed') ||
    message.startsWith("Stream isn't writeable") ||
    message === 'Command timed out' // commandTimeout: Redis holds the connection but does not answer
  ) {
    return new StoreUnavailableError(err);
  }
  return err;
}

/** An OOM reply, or a transaction Redis discarded because a command in it got one. */
function isOutOfMemory(err: object): boolean {
  const { message, previousErrors } = err as { message?: unknown; previousErrors?: unknown };
  if (typeof message === 'string' && message.startsWith('OOM ')) return true;
  return (
    Array.isArray(previousErrors) &&
    previousErrors.some(
      (p: unknown) => typeof (p as Error)?.message === 'string' && (p as Error).message.startsWith('OOM '),
    )
  );
}

/**
 * The same object whose promise-returning methods reject with store errors (see toStoreError) instead of raw
 * Redis client errors. Async iterators (reports) are wrapped too.
 */
export function withStoreErrors<T extends object>(target: T): T {
  return new Proxy(target, {
    get(obj, prop, receiver) {
      const value: unknown = Reflect.get(obj, prop, receiver);
      if (typeof value !== 'function') return value;
      return (...args: unknown[]) => {
        const result: unknown = Reflect.apply(value, obj, args);
        if (result instanceof Promise) {
          return result.catch((err: unknown) => {
            throw toStoreError(err);
          });
        }
        if (isAsyncIterator(result)) return guardIterator(result);
        return result;
      };
    },
  });
}

function isAsyncIterator(v: unknown): v is AsyncGenerator<unknown> {
  return (
    typeof v === 'object' && v !== null && typeof (v as AsyncGenerator).next === 'function' && Symbol.asyncIterator in v
  );
}

async function* guardIterator<T>(it: AsyncGenerator<T>): AsyncGenerator<T> {
  try {
    yield* it;
  } catch (err) {
    throw toStoreError(err);
  }
}
