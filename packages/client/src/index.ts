export {
  SobotBulkClient,
  type SobotBulkClientOptions,
  type Fetch,
  type RecipientSource,
  type CampaignOptions,
  type CampaignListOptions,
  type CreateCampaignInput,
  type ControlResult,
  type RetryFailedOptions,
  type WaitOptions,
  type ReportFormat,
  REPORT_FORMATS,
} from './client';
export {
  SobotBulkError,
  SobotBulkApiError,
  SobotBulkConnectionError,
  SobotBulkResponseError,
  SobotBulkTimeoutError,
} from './errors';
export { RETRY_DEFAULTS, backoffMs, retryAfterMs, isRetryableStatus } from './retry';
export { UPLOAD_CONTENT_TYPES, formatFromPath, uploadContentType, type UploadFormat } from './upload-body';
export { parseNdjson } from './ndjson';
export type {
  CampaignList,
  CampaignView,
  CampaignStatus,
  CampaignCounts,
  DeliveryStatus,
  MessageInput,
  MessageView,
  RecipientStatus,
  ReportRow,
  RowError,
  SendMessagesResult,
  UploadResult,
  ApiErrorBody,
  RetryInclude,
  RetryLeftReason,
  RetryFailedTally,
  Lane,
  MessageList,
  MessageListItem,
  MessageSummary,
  SuppressionView,
  SuppressionSource,
  SuppressionList,
  SuppressionImport,
} from './api-types';
export {
  verifyEvent,
  SobotBulkEventError,
  EVENT_TOLERANCE_SECONDS,
  type EventErrorCode,
  type EventHeaders,
  type OutboundEvent,
  type VerifyOptions,
} from './events';
