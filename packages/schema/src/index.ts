export {
  normalizeNumber,
  countryOfUnambiguous,
  callingCodeOfCountry,
  type NumberResult,
  type CountryReading,
} from './phone';
export { checkInternational, regionOfCallingCode, describeRegion, type PlanCheck } from './numbering-plan';
export {
  RECIPIENT_FIELDS,
  PHONE_HEADERS,
  fieldForHeader,
  normalizeHeader,
  type RecipientField,
  type ColumnsUsed,
} from './columns';
export { parseCaptionTemplate, renderCaption, type CaptionTemplate, type CaptionVariable } from './caption-template';
export {
  CAPTION_MAX,
  MIME_TYPES,
  mimeFromUrl,
  checkImageUrl,
  checkMimeType,
  checkCaption,
  validateDefaults,
  validateRecipient,
  type MimeType,
  type SobotImageMessage,
  type CampaignDefaults,
  type ValidationOptions,
  type FieldError,
  type RawRecipient,
  type RecipientResult,
} from './message';
export * from './api';
export { SEND_POLICY, roundBackoffMs, chunkJobBackoffMs } from './send-policy';
export {
  parseDeliveryEvents,
  parseWebhookEvents,
  inboundNumber,
  WebhookBodyError,
  type DeliveryEvent,
  type InboundMessage,
  type WebhookEvents,
} from './webhook-events';
export {
  keywordForm,
  keywordMatcher,
  DEFAULT_OPT_IN_KEYWORDS,
  DEFAULT_OPT_OUT_KEYWORDS,
  type KeywordAction,
} from './keywords';
export { parseSendAt, SEND_AT_MAX_DAYS, type SendAtResult } from './send-at';
export { CAMPAIGN_ID_SOURCE, CAMPAIGN_ID_PATTERN, MESSAGE_ID_PATTERN, DAY_MS } from './ids';
export { clip, clipBytes, clipList, ECHO_MAX, OUTSIDE_TEXT_MAX_BYTES } from './clip';
export {
  parseQuietHours,
  formatQuietHours,
  inQuietSpan,
  quietUntil,
  quietUntilAll,
  canonicalTimeZone,
  type QuietSpan,
  type QuietHoursParse,
} from './quiet-hours';
export { INVALID_UTF8_MARK, Utf8Marker, markInvalidUtf8, textProblem } from './text-check';
export {
  EVENT_TYPES,
  TEST_EVENT_TYPE,
  eventEndpointBodySchema,
  eventEndpointSchema,
  eventEndpointCreatedSchema,
  eventEndpointListSchema,
  rotatedSecretSchema,
  endpointTestResultSchema,
  type EventType,
  type EventEndpointBody,
  type EventEndpointView,
  type EventEndpointCreated,
  type EndpointTestResult,
} from './events';
export { REASONS, reasonFor, errorHint, type Reason } from './reasons';
export {
  senderViewSchema,
  senderListSchema,
  portfolioUsageSchema,
  type SenderView,
  type SenderList,
  type PortfolioUsageView,
} from './senders';
