export { Keys } from './keys';
export { createRedis, redisReady, type RedisClient, type RedisConfig } from './redis';
export { CHUNK_SIZE, locate, type StoreContext } from './context';
export { newCampaignId, isCampaignId, messageId, parseMessageId } from './ids';
export { StoreError, NotFoundError, InvalidStateError, isRedisUnavailable } from './errors';
export { CampaignWriter, type CampaignHeader } from './campaign-writer';
export { parseMeta, type CampaignMeta } from './campaign-meta';
export { CampaignReader } from './campaign-view';
export { CampaignControl, type ControlResult } from './campaign-control';
export { expireCampaign, persistCampaign } from './retention';
export { Ledger, findWamid, wamidBucket, type LoadedChunk, type OutcomeEntry } from './ledger';
export { encodeOutcome, decodeOutcome, isTerminal, type Outcome, type OutcomeKind } from './outcome-codec';
export { chunkDefaults, encodeRecipient, decodeChunk, type ChunkDefaults } from './recipient-codec';
export { SendRate, pauseSystem, resumeSystem, systemPause, type Reservation, type SystemPause } from './send-rate';
export { recordDelivery, type DeliveryEvent, type DeliveryResult } from './delivery';
export { claimIdempotencyKey, releaseIdempotencyKey, type Claim } from './idempotency';
export { addMetricDeltas, readMetrics, LATENCY_BUCKETS } from './metrics-store';
export {
  SEND_QUEUE,
  CHUNK_JOB_OPTIONS,
  chunkJobId,
  createSendQueue,
  enqueueChunks,
  enqueueHeldChunks,
  type ChunkJobData,
} from './queue';
export { redisHygieneWarnings } from './hygiene';
export { openConnections, DEFAULT_REDIS_URL, type Connections, type ConnectionOptions } from './connections';
