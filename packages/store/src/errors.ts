/** Base of the store's errors: a stable `code` for the API's error handler. */
export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * Redis could not be reached for a command (connection refused or closed, retries used up): the caller
 * may try again later. Replies from a reachable Redis (ReplyError) are not this.
 */
export function isRedisUnavailable(err: unknown): boolean {
  const e = err as { name?: unknown; code?: unknown; message?: unknown } | null;
  if (!e || typeof e !== 'object') return false;
  if (e.name === 'MaxRetriesPerRequestError' || e.name === 'ClusterAllFailedError') return true;
  if (
    typeof e.code === 'string' &&
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH'].includes(e.code)
  )
    return true;
  return typeof e.message === 'string' && /^(Connection is closed|Stream isn't writeable)/.test(e.message);
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
  }
}
