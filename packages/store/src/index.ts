export { Store, DEFAULT_REDIS_URL, type StoreConfig } from './store';
export { CHUNK_SIZE } from './context';
export { newCampaignId, isCampaignId, messageId, parseMessageId } from './ids';
export {
  StoreError,
  STORE_ERROR_CODES,
  type StoreErrorCode,
  NotFoundError,
  InvalidStateError,
  InvalidCursorError,
  StoreUnavailableError,
  StoreFullError,
} from './errors';
export type { CampaignWriter, CampaignHeader } from './campaign-writer';
export type { CampaignMeta, Lane } from './campaign-meta';
export type { CampaignReader } from './campaign-view';
export {
  MARKETING_LIMIT,
  type CampaignControl,
  type ControlResult,
  type RetryOptions,
  type RetryTally,
} from './campaign-control';
export type { Ledger, LoadedChunk, OutcomeEntry, RecordResult } from './ledger';
export { isTerminal, type Outcome, type OutcomeKind } from './outcome-codec';
export { Circulation } from './circulation';
export type { FairShare, ShareUsage, ShareTotals } from './fair-share';
export type { SendRate, Reservation, SystemPause, SystemPauseState } from './send-rate';
export type { Deliveries, DeliveryResult, DeliveryTally } from './delivery';
export { IDEMPOTENCY_LEASE_MS, type IdempotencyKeys, type Claim, type Acquired, type KeyHolder } from './idempotency';
export { UPLOAD_PRINT_TTL_MS, type UploadPrints, type PrintHolder } from './upload-prints';
export { LATENCY_BUCKETS, type MetricCounters } from './metrics-store';
export { CHUNK_JOB_OPTIONS, type SendQueue, type ChunkJobData, type ChunkProcessor } from './queue';
export {
  AUDIENCE,
  MAX_REASONS,
  MAX_REASON_LENGTH,
  WINDOW_MS,
  INBOUND_HORIZON_MS,
  SUPPRESSION_SOURCES,
  type Audience,
  type Suppression,
  type SuppressionSource,
  type InboundEvent,
  type InboundEffect,
  type LookupOptions,
} from './audience';
export type { PageSessions } from './page-sessions';
export {
  PREVIOUS_SECRET_MS,
  isEndpointId,
  type EventEndpoints,
  type EventEndpoint,
  type NewEventEndpoint,
} from './event-endpoints';
export type {
  Senders,
  SenderInfo,
  Assignment,
  AssignRequest,
  SenderState,
  SenderPauseState,
  PortfolioUsage,
} from './senders';
export {
  EVENT_KINDS,
  EVENT_GATE_MS,
  type EventKind,
  type Outbox,
  type OutboxPump,
  type OutboxEntry,
  type OutboxSource,
} from './outbox';
export {
  eventRef,
  parseEventRef,
  eventIdOf,
  FAILED_KEPT_MS,
  SUCCEEDED_KEPT,
  type EventDeliveries,
  type EventRef,
  type EventBody,
  type DeliveryRecord,
  type EndpointHealth,
  type AttemptNote,
} from './event-deliveries';
