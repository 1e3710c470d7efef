export { SobotClient, type SobotClientOptions, type Sent } from './client';
export {
  SobotError,
  RateLimitedError,
  UnavailableError,
  DeferredError,
  SendingBlockedError,
  RejectedError,
} from './errors';
export { POLICY, classifyAnswer, parseRetryAfter, upstreamError } from './policy';
