import type {
  ApiErrorBody,
  CampaignStatus,
  CampaignView,
  EndpointTestResult,
  EventEndpointCreated,
  EventEndpointList,
  EventEndpointView,
  MessageList,
  MessageSummary,
  MessageView,
  ReportRow,
  RecipientStatus,
  SendMessagesResult,
  SuppressionImport,
  SuppressionList,
  SuppressionView,
  RotatedSecret,
  SenderList,
  SenderView,
  UploadResult,
} from './api-types';

/**
 * Checks of what the API answered, at the SDK's boundary. They look at the fields that tell one answer
 * from another (and that callers branch on), so an answer from something else — a wrong `baseUrl`, a
 * proxy's page — fails with a clear error instead of flowing on as the wrong type.
 *
 * A status is any non-empty string, not one of a list: a server newer than this SDK may add statuses, and
 * an SDK that refused every answer carrying one would break on the server's upgrade.
 */
type Json = Record<string, unknown>;

export const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === 'string';
const isNumber = (v: unknown): v is number => typeof v === 'number';
const isStatus = (v: unknown): v is CampaignStatus => isString(v) && v !== '';
const isRecipientStatus = (v: unknown): v is RecipientStatus => isString(v) && v !== '';

export function isApiErrorBody(v: unknown): v is ApiErrorBody {
  return isObject(v) && isObject(v.error) && isString(v.error.code) && isString(v.error.message);
}

export function isUploadResult(v: unknown): v is UploadResult {
  return (
    isObject(v) &&
    isString(v.id) &&
    isStatus(v.status) &&
    isNumber(v.total) &&
    isNumber(v.accepted) &&
    isNumber(v.rejected) &&
    isNumber(v.duplicates) &&
    Array.isArray(v.errors)
  );
}

export function isCampaignView(v: unknown): v is CampaignView {
  return (
    isObject(v) &&
    isString(v.id) &&
    isStatus(v.status) &&
    isObject(v.counts) &&
    isNumber(v.counts.total) &&
    isNumber(v.rate)
  );
}

/** `next_cursor` may be absent: a producer older than the paged list answers with the campaigns alone. */
export function isCampaignList(v: unknown): v is { campaigns: CampaignView[]; next_cursor?: string | null } {
  return (
    isObject(v) &&
    Array.isArray(v.campaigns) &&
    v.campaigns.every(isCampaignView) &&
    (v.next_cursor === undefined || v.next_cursor === null || isString(v.next_cursor))
  );
}

export function isMessageView(v: unknown): v is MessageView {
  return isObject(v) && isString(v.id) && isString(v.campaign_id) && isRecipientStatus(v.status);
}

export function isMessageList(v: unknown): v is MessageList {
  return isObject(v) && Array.isArray(v.messages) && v.messages.every(isMessageView);
}

export function isMessageSummary(v: unknown): v is MessageSummary {
  return isObject(v) && ['accepted', 'sent', 'failed', 'skipped', 'pending'].every((k) => typeof v[k] === 'number');
}

export function isSendMessagesResult(v: unknown): v is SendMessagesResult {
  return isObject(v) && isString(v.campaign_id) && Array.isArray(v.ids) && v.ids.every(isString);
}

export function isReportRow(v: unknown): v is ReportRow {
  return isObject(v) && isString(v.customer_number) && isRecipientStatus(v.status);
}

export function isSuppressionView(v: unknown): v is SuppressionView {
  return isObject(v) && isString(v.number) && isString(v.suppressed_at) && isString(v.source);
}

export function isSuppressionList(v: unknown): v is SuppressionList {
  return isObject(v) && Array.isArray(v.suppressions) && v.suppressions.every(isSuppressionView) && isNumber(v.total);
}

export function isSuppressionImport(v: unknown): v is SuppressionImport {
  return isObject(v) && isNumber(v.added) && isNumber(v.received) && Array.isArray(v.errors);
}

export function isEventEndpointView(v: unknown): v is EventEndpointView {
  return isObject(v) && isString(v.id) && isString(v.url) && Array.isArray(v.events) && isString(v.created_at);
}

export function isEventEndpointCreated(v: unknown): v is EventEndpointCreated {
  return isEventEndpointView(v) && isString((v as unknown as Record<string, unknown>).secret);
}

export function isEventEndpointList(v: unknown): v is EventEndpointList {
  return isObject(v) && Array.isArray(v.endpoints) && v.endpoints.every(isEventEndpointView);
}

export function isSenderView(v: unknown): v is SenderView {
  return isObject(v) && isString(v.id) && isNumber(v.rate) && (v.state === 'active' || v.state === 'paused');
}

export function isSenderList(v: unknown): v is SenderList {
  return isObject(v) && Array.isArray(v.senders) && v.senders.every(isSenderView) && Array.isArray(v.portfolios);
}

export function isRotatedSecret(v: unknown): v is RotatedSecret {
  return isObject(v) && isString(v.id) && isString(v.secret) && isString(v.previous_secret_expires_at);
}

export function isEndpointTestResult(v: unknown): v is EndpointTestResult {
  return isObject(v) && isString(v.event_id) && typeof v.ok === 'boolean' && isNumber(v.duration_ms);
}
