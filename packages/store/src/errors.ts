/** Base of the store's errors: a stable `code` for the API's error handler. */
export class StoreError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
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
  }
}
