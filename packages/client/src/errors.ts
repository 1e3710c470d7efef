import type { CampaignView } from './api-types';

/** Base of every error the SDK throws; `code` is stable and safe to branch on. */
export class SobotBulkError extends Error {
  override readonly name: string = 'SobotBulkError';

  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

/** The API answered with an error status; `code`, `message` and `details` come from its `{error:{…}}` body. */
export class SobotBulkApiError extends SobotBulkError {
  override readonly name = 'SobotBulkApiError';

  constructor(
    readonly status: number,
    code: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(code, message);
  }
}

/** The API could not be reached (refused, reset, DNS, TLS…), after any retries the call allows. */
export class SobotBulkConnectionError extends SobotBulkError {
  override readonly name = 'SobotBulkConnectionError';

  constructor(message: string, cause: unknown) {
    super('UNREACHABLE', message, { cause });
  }
}

/** The API answered 2xx with a body that is not what this endpoint returns (wrong `baseUrl`?). */
export class SobotBulkResponseError extends SobotBulkError {
  override readonly name = 'SobotBulkResponseError';

  constructor(message: string) {
    super('BAD_RESPONSE', message);
  }
}

/** `waitForCampaign` ran past its `timeoutMs`; `last` is the last view it saw. */
export class SobotBulkTimeoutError extends SobotBulkError {
  override readonly name = 'SobotBulkTimeoutError';

  constructor(
    message: string,
    readonly last: CampaignView | undefined,
  ) {
    super('WAIT_TIMEOUT', message);
  }
}
