export { SobotClient, type SobotClientOptions, type Sent } from './client';
export {
  SobotError,
  RateLimitedError,
  UnavailableError,
  DeferredError,
  SendingBlockedError,
  RejectedError,
} from './errors';
export {
  POLICY_TABLE,
  policyFor,
  classifyAnswer,
  parseRetryAfter,
  upstreamError,
  type PolicyKind,
  type PolicyRow,
} from './policy';
