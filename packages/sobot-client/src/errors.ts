/**
 * One error class per way a send can go wrong, each with a stable `code` (the upstream's code when it
 * gave one). The worker maps each class to one behaviour (see policy.ts).
 */
export class SobotError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** Too many requests (HTTP 429, Meta 130429): everyone waits, the message's attempt is not spent. */
export class RateLimitedError extends SobotError {
  constructor(
    code: string,
    message: string,
    readonly retryAfterMs: number | undefined,
  ) {
    super(code, message);
  }
}

/** The upstream could not take the request now (5xx, timeout, reset, refused): retry with backoff. */
export class UnavailableError extends SobotError {}

/** The upstream refused this recipient for a while (Meta 131056 pair rate limit): retry it later. */
export class DeferredError extends SobotError {
  constructor(
    code: string,
    message: string,
    readonly delayMs: number,
  ) {
    super(code, message);
  }
}

/** Sending must stop for everyone until someone looks (401/403 wrong key, Meta 131048 spam limit). */
export class SendingBlockedError extends SobotError {
  constructor(
    code: string,
    message: string,
    /** How often a single probe message may test whether the block is gone. */
    readonly probeEveryMs: number,
  ) {
    super(code, message);
  }
}

/**
 * What a refusal says about the number itself (SPEC §12–§13): `close-window` (131047: outside its 24-hour window),
 * `suppress` (131050: the user stopped marketing messages), `hold-retry` (131049: per-user marketing limit, not
 * retried by retry-failed for 24 h).
 */
export type NumberEffect = 'close-window' | 'suppress' | 'hold-retry';

/** The upstream refused this message for good (bad number, outside the 24-hour window, bad media…). */
export class RejectedError extends SobotError {
  constructor(
    code: string,
    message: string,
    /** What the refusal means for the number, beyond this message (see NumberEffect). */
    readonly effect?: NumberEffect,
  ) {
    super(code, message);
  }
}
