export { createCampaign, SHOWN_ERRORS, type UploadInput } from './create-campaign';
export { sendMessages } from './send-messages';
export { retryFailed, retryLeaveReason, type RetryAnswer } from './retry-failed';
export {
  formatReport,
  formatRows,
  csvCell,
  csvLine,
  CSV_BOM,
  REPORT_CONTENT_TYPES,
  REPORT_FORMATS,
  type ReportFormat,
} from './report-format';
export { formatRejected, REJECTED_COLUMNS, type RejectedFile } from './rejected-file';
export {
  CampaignError,
  CAMPAIGN_ERROR_CODES,
  type CampaignErrorCode,
  InputError,
  IdempotencyConflictError,
  IdempotencyInProgressError,
  ConflictError,
  DuplicateUploadError,
} from './errors';
export { UploadFingerprint } from './upload-fingerprint';
export type { CampaignDeps } from './deps';
export {
  preflightImage,
  IMAGE_MAX_BYTES,
  ImagePreflightError,
  PREFLIGHT_NEUTRAL_MESSAGE,
  type PreflightFailure,
  type PreflightOptions,
} from './image-preflight';
export { isPublicAddress, guardedLookup, AddressRefusedError, type Resolve } from './public-address';
export { applyInbound, OPT_OUT_REASON, type AudienceWrites, type InboundTally } from './inbound';
export {
  suppressNumbers,
  importSuppressions,
  suppressionKey,
  getSuppression,
  unsuppressNumber,
  listSuppressions,
  suppressionsCsv,
} from './suppressions';
export {
  signEvent,
  signature,
  newSecret,
  newEventId,
  secretKey,
  SECRET_PREFIX,
  type SignedHeaders,
} from './events/signing';
export {
  attemptDelivery,
  endpointAgent,
  retryAfterMs as eventRetryAfterMs,
  EVENT_TIMEOUT_MS,
  type AttemptOptions,
  type AttemptResult,
} from './events/delivery-attempt';
export {
  checkEndpointUrl,
  createEventEndpoint,
  listEventEndpoints,
  getEventEndpoint,
  removeEventEndpoint,
  rotateEndpointSecret,
  testEventEndpoint,
  endpointView,
  type EndpointOptions,
} from './events/endpoints';
export { EventDispatcher, type DispatcherOptions } from './events/dispatcher';
export { EVENT_POLICY, RETRY_SCHEDULE_MS, afterFailure, type EventPolicy, type AfterFailure } from './events/policy';
