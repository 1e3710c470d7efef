export { normalizeNumber, type NumberResult } from './phone';
export { checkInternational, regionOfCallingCode, describeRegion, type PlanCheck } from './numbering-plan';
export { RECIPIENT_FIELDS, fieldForHeader, type RecipientField } from './columns';
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
