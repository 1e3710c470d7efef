/** Every code this package's errors carry (the producer maps each to one HTTP status). */
export const CAMPAIGN_ERROR_CODES = [
  'INVALID_MESSAGES',
  'INVALID_NUMBERS',
  'INVALID_ROWS',
  'INVALID_DEFAULTS',
  'INVALID_URL',
  'URL_NOT_PUBLIC',
  'IMAGE_PREFLIGHT_FAILED',
  'NO_INBOUND_EVENTS',
  'DUPLICATE_UPLOAD',
  'IDEMPOTENCY_KEY_REUSED',
  'IDEMPOTENCY_IN_PROGRESS',
  'UNKNOWN_SENDER',
] as const;
export type CampaignErrorCode = (typeof CAMPAIGN_ERROR_CODES)[number];

/** Base of this package's errors: a stable `code` for the API's error handler. */
export class CampaignError extends Error {
  constructor(
    readonly code: CampaignErrorCode,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The caller's input is wrong; `details` says where (rows, fields, message indexes). */
export class InputError extends CampaignError {
  constructor(
    code: CampaignErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(code, message);
  }
}

/** An idempotency key was reused with a different body (for an upload: different options or another file). */
export class IdempotencyConflictError extends CampaignError {
  constructor(message = 'this Idempotency-Key was already used with a different request body') {
    super('IDEMPOTENCY_KEY_REUSED', message);
  }
}

/** An upload with this Idempotency-Key is still being read by another request: retry once it is done. */
export class IdempotencyInProgressError extends CampaignError {
  constructor() {
    super(
      'IDEMPOTENCY_IN_PROGRESS',
      'a request with this Idempotency-Key is still in progress: retry in a moment to get its answer',
    );
  }
}

/** The request conflicts with the state of things (409): e.g. `window=skip` when no inbound event arrived. */
export class ConflictError extends CampaignError {
  constructor(
    code: CampaignErrorCode,
    message: string,
    readonly details?: unknown,
  ) {
    super(code, message);
  }
}

/**
 * The same recipients and message were uploaded in the last 24 h (SPEC §20): 409 naming that campaign (`details`:
 * `{campaign: {id, name, created_at}}`); `force=true` uploads anyway.
 */
export class DuplicateUploadError extends ConflictError {
  constructor(campaign: { id: string; name: string; createdAt: number }) {
    const created = new Date(campaign.createdAt).toISOString();
    super(
      'DUPLICATE_UPLOAD',
      `the same recipients and message were uploaded at ${created} as campaign ${campaign.id}: add force=true ` +
        'to send them again',
      { campaign: { id: campaign.id, name: campaign.name, created_at: created } },
    );
  }
}
