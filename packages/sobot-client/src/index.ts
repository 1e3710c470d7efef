export { SobotClient, type SobotClientOptions, type Sent, type KeyPair } from './client';
export {
  SobotError,
  RateLimitedError,
  UnavailableError,
  DeferredError,
  SendingBlockedError,
  RejectedError,
  type NumberEffect,
} from './errors';
export {
  POLICY_TABLE,
  policyFor,
  classifyAnswer,
  parseRetryAfter,
  upstreamError,
  retryClass,
  type RetryClass,
  type PolicyKind,
  type PolicyRow,
} from './policy';
