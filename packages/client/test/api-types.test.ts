/**
 * The SDK declares the API's shapes itself (src/api-types.ts); the producer's are in @sobot/schema. These
 * checks run when this file is type-checked (`pnpm typecheck`): every answer the schema describes must fit
 * the SDK's type, every field the SDK declares must exist in the schema, and every message the SDK sends
 * must be one the schema accepts. Fields the schema adds later are fine (the SDK passes them through);
 * a field it renames, removes or retypes fails here.
 */
import * as schema from '@sobot/schema';
import type * as sdk from '../src';

type Fits<Server, Client> = [Server] extends [Client] ? true : false;
type NoExtraKeys<Client, Server> = [Exclude<keyof Client, keyof Server>] extends [never] ? true : false;
type Same<Server, Client> = Fits<Server, Client> extends true ? NoExtraKeys<Client, Server> : false;

const checks = {
  campaignView: true satisfies Same<schema.CampaignView, sdk.CampaignView>,
  campaignList: true satisfies Same<schema.CampaignList, sdk.CampaignList>,
  campaignCounts: true satisfies Same<schema.CampaignCounts, sdk.CampaignCounts>,
  uploadResult: true satisfies Same<schema.UploadResult, sdk.UploadResult>,
  rowError: true satisfies Same<schema.RowError, sdk.RowError>,
  reportRow: true satisfies Same<schema.ReportRow, sdk.ReportRow>,
  messageView: true satisfies Same<schema.MessageView, sdk.MessageView>,
  sendMessagesResult: true satisfies Same<schema.SendMessagesResult, sdk.SendMessagesResult>,
  messageList: true satisfies Same<schema.MessageList, sdk.MessageList>,
  messageSummary: true satisfies Same<schema.MessageSummary, sdk.MessageSummary>,
  apiErrorBody: true satisfies Same<schema.ApiErrorBody, sdk.ApiErrorBody>,
  suppressionView: true satisfies Same<schema.SuppressionView, sdk.SuppressionView>,
  suppressionList: true satisfies Same<schema.SuppressionList, sdk.SuppressionList>,
  suppressionImport: true satisfies Same<schema.SuppressionImport, sdk.SuppressionImport>,
  controlResult: true satisfies Same<schema.ControlResult, sdk.ControlResult>,
  eventEndpointView: true satisfies Same<schema.EventEndpointView, sdk.EventEndpointView>,
  eventEndpointCreated: true satisfies Same<schema.EventEndpointCreated, sdk.EventEndpointCreated>,
  endpointTestResult: true satisfies Same<schema.EndpointTestResult, sdk.EndpointTestResult>,
  eventDelivery: true satisfies Same<schema.EventDelivery, sdk.EventDelivery>,
  endpointHealth: true satisfies Same<schema.EndpointHealthView, sdk.EndpointHealthView>,
  replayInput: true satisfies Fits<sdk.ReplayInput, schema.ReplayBody>,
  eventType: true satisfies Same<schema.EventType, sdk.EventType>,
  eventEndpointInput: true satisfies Fits<sdk.EventEndpointInput, schema.EventEndpointBody>,
  campaignStatus: true satisfies Fits<schema.CampaignStatus, sdk.CampaignStatus>,
  messageInput: true satisfies Fits<sdk.MessageInput, schema.MessageInput>,
};

test('the SDK types fit the API schema (checked by the type checker; the values are the proof it ran)', () => {
  expect(Object.values(checks).every(Boolean)).toBe(true);
  // The report columns the SDK's ReportRow names, in the producer's order.
  const row: Record<keyof sdk.ReportRow, true> = {
    customer_number: true,
    customer_name: true,
    status: true,
    wamid: true,
    error_code: true,
    error_message: true,
    attempts: true,
    updated_at: true,
    delivery_status: true,
  };
  expect(Object.keys(row).sort()).toEqual([...schema.REPORT_COLUMNS].sort());
});
