/** Base of this package's errors: a stable `code` for the API's error handler. */
export class CampaignError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller's input is wrong; `details` says where (rows, fields, message indexes). */
export class InputError extends CampaignError {
  constructor(
    code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(code, message);
  }
}

/** An idempotency key was reused with a different body. */
export class IdempotencyConflictError extends CampaignError {
  constructor() {
    super('IDEMPOTENCY_KEY_REUSED', 'this Idempotency-Key was already used with a different request body');
  }
}

/** The request conflicts with the state of things (409): e.g. `window=skip` when no inbound event arrived. */
export class ConflictError extends CampaignError {}
