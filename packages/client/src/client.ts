import { randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { basename } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type {
  CampaignList,
  CampaignStatus,
  CampaignView,
  Lane,
  MessageInput,
  MessageList,
  MessageSummary,
  MessageView,
  ReportRow,
  SendMessagesResult,
  SuppressionImport,
  SuppressionList,
  SuppressionView,
  EndpointTestResult,
  EventEndpointCreated,
  EventEndpointInput,
  EventEndpointList,
  EventEndpointView,
  EventDeliveryList,
  EndpointHealthView,
  DeliveryState,
  ReplayInput,
  RotatedSecret,
  SenderList,
  SenderView,
  UploadResult,
  RetryFailedTally,
  RetryInclude,
} from './api-types';
import { SobotBulkApiError, SobotBulkConnectionError, SobotBulkResponseError, SobotBulkTimeoutError } from './errors';
import {
  isApiErrorBody,
  isCampaignList,
  isCampaignView,
  isMessageView,
  isMessageList,
  isMessageSummary,
  isReportRow,
  isSendMessagesResult,
  isSuppressionImport,
  isSuppressionList,
  isSuppressionView,
  isEndpointTestResult,
  isEventEndpointCreated,
  isEventEndpointList,
  isEventEndpointView,
  isEventDeliveryList,
  isReplayResult,
  isEndpointHealth,
  isRotatedSecret,
  isSenderList,
  isSenderView,
  isUploadResult,
} from './guards';
import { parseNdjson } from './ndjson';
import { backoffMs, isInProgress, isRetryableStatus, retryAfterMs, RETRY_DEFAULTS, sleep } from './retry';
import { fileBody, formatFromPath, streamBody, uploadContentType, type UploadFormat } from './upload-body';

export type Fetch = typeof globalThis.fetch;
/**
 * Report formats, spreadsheet first: `xlsx` (a workbook of text cells), `csv` (RFC 4180, UTF-8 BOM), `json`,
 * `ndjson`.
 */
export const REPORT_FORMATS = ['xlsx', 'csv', 'json', 'ndjson'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What `listCampaigns` and `campaigns` filter and page by. */
export interface CampaignListOptions {
  /** Campaigns per page (1–200, default 50). */
  limit?: number;
  /** Only campaigns with this status (or one of these). */
  status?: CampaignStatus | CampaignStatus[];
  signal?: AbortSignal;
}

export interface SobotBulkClientOptions {
  /** The producer, e.g. `http://127.0.0.1:3000` (a path prefix is kept). */
  baseUrl: string;
  /** One of the producer's API_KEYS, sent as `Authorization: Bearer`. */
  token: string;
  /** Defaults to the global fetch (Node ≥ 20). */
  fetch?: Fetch;
  /** Retries of idempotent calls after a 5xx or a network error (never of uploads). Default 3. */
  retries?: number;
}

/** Where the recipients of a new campaign come from: exactly one of these. */
export type RecipientSource =
  /** A file path, streamed; its extension tells the format unless `format` does. */
  | { file: string; stream?: never; rows?: never }
  /** Bytes, streamed as they come (a Node Readable is an AsyncIterable). */
  | { stream: Readable | AsyncIterable<Uint8Array | string>; file?: never; rows?: never }
  /** Recipients in memory, sent as a JSON array. */
  | { rows: Array<Record<string, string>>; file?: never; stream?: never };

export interface CampaignOptions {
  /** Default: from the file's extension; else the API detects it. */
  format?: UploadFormat | 'auto';
  /** Default: the file's name (for `file`), else the API names it by date. */
  name?: string;
  /** Image for rows without a `url` column. */
  imageUrl?: string;
  mimeType?: string;
  caption?: string;
  /** Reject the whole file if any row is invalid. */
  strict?: boolean;
  /** Validate and count only: nothing is stored or sent. */
  dryRun?: boolean;
  /** `number`: a row without a name is sent with its number as the name. */
  nameFallback?: 'number' | 'none';
  /**
   * The list's country (ISO 3166 alpha-2, `IN`): numbers written without + or 00 are read in it. Default: the
   * server's DEFAULT_COUNTRY_CODE, else inferred from the file, where a number that reads two ways is refused.
   */
  country?: string;
  /** The header of the phone column, when several headers could be (else 400 `AMBIGUOUS_PHONE_COLUMN`). */
  phoneColumn?: string;
  /** The header of the name column. */
  nameColumn?: string;
  /**
   * The line of a sheet or CSV that holds the header (1-based, as a spreadsheet numbers it); lines above it are
   * titles, not data. Default: the first of the first 20 lines that has a phone column. The answer's
   * `header_row` says which line was used.
   */
  headerRow?: number;
  /** Check `imageUrl` (reachable, JPEG/PNG, ≤ 5 MB) before the list is accepted. */
  preflight?: boolean;
  /** Send the first N recipients (whole chunks of 200) first; the rest goes only if few of them fail. */
  canary?: number;
  /** The share of canary messages allowed to fail (0–1, default 0.2). */
  canaryMaxFailureRatio?: number;
  /** The senders (Sobot accounts, by id) the campaign may use; default every active sender. */
  senders?: string[] | string;
  /** Default bulk; `transactional` jumps ahead of every bulk campaign. */
  lane?: Lane;
  /** Share of the bulk rate relative to other running campaigns (1–100). */
  weight?: number;
  /** Nothing is sent before this time (a Date, or RFC 3339 with an offset). */
  sendAt?: Date | string;
  /** `HH:MM-HH:MM` of each recipient's local time when it is not messaged; `off`: none (default: the server's). */
  quietHours?: string;
  /**
   * `Idempotency-Key`: the API never creates two campaigns for one key. With it, an upload of a `file` or of
   * `rows` is retried like an idempotent call (a retry answers the same campaign, `replayed: true`), also while
   * the first try is still being read (409 IDEMPOTENCY_IN_PROGRESS). A `stream` cannot be sent twice: not retried.
   */
  idempotencyKey?: string;
  /** `skip`: recipients outside their 24-hour window at send time are skipped. Default `send`. */
  window?: 'send' | 'skip';
  /**
   * Upload anyway: with `window: 'skip'` even when no inbound message arrived in the last 24 hours, and even when
   * the same recipients and message were uploaded in the last 24 hours (else 409 `DUPLICATE_UPLOAD`, whose
   * `details.campaign` names that campaign).
   */
  force?: boolean;
  signal?: AbortSignal;
}

export type CreateCampaignInput = RecipientSource & CampaignOptions;

/**
 * A control action's answer: the campaign after it, and for retry-failed how many went back to pending (`reset`,
 * `retried`) and what it left and why (`left`, `by_code`).
 */
export type ControlResult = CampaignView & { reset?: number } & RetryFailedTally;

export interface RetryFailedOptions {
  /**
   * `retryable` (default): only the failures a new request can fix (timeouts, 5xx, throttles…). `all`: also the
   * permanent ones and those answered 200 without a wamid — which may have been sent: a customer may get it twice.
   */
  include?: RetryInclude;
  signal?: AbortSignal;
}

export interface WaitOptions {
  /** Called with every view polled, the final one included. */
  onProgress?: (view: CampaignView) => void;
  intervalMs?: number;
  /** Give up (SobotBulkTimeoutError) after this long; default: wait as long as it takes. */
  timeoutMs?: number;
  signal?: AbortSignal;
}

interface Call {
  method: 'GET' | 'POST' | 'DELETE';
  path: string;
  query?: Record<string, string | boolean | number | undefined>;
  headers?: Record<string, string>;
  /** A function makes a new body for each try (a stream can be read once). */
  body?: string | ReadableStream<Uint8Array> | (() => Promise<ReadableStream<Uint8Array>>);
  /** Only idempotent calls are retried (see retry.ts). */
  idempotent: boolean;
  signal?: AbortSignal;
}

/** Failures before a connection existed: the request surely did not arrive. */
const NOT_CONNECTED: ReadonlySet<string> = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
]);

const FINAL_STATUSES: ReadonlySet<CampaignView['status']> = new Set(['completed', 'cancelled']);

const field = (v: unknown, key: string): unknown =>
  typeof v === 'object' && v !== null ? Reflect.get(v, key) : undefined;
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** Why a fetch failed: the system error code when there is one (duck-typed: the error may come from another realm). */
function reason(err: unknown): string {
  const cause = field(err, 'cause');
  return (
    text(field(cause, 'code')) ??
    text(field(cause, 'message')) ??
    text(field(err, 'code')) ??
    text(field(err, 'message')) ??
    String(err)
  );
}

/**
 * Typed client of the producer's HTTP API (`/v1`). Every method throws `SobotBulkApiError` when the
 * API answers with an error, `SobotBulkConnectionError` when it cannot be reached.
 */
export class SobotBulkClient {
  readonly baseUrl: string;
  private readonly token: string;
  private readonly fetchImpl: Fetch;
  private readonly retries: number;

  constructor(options: SobotBulkClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.token = options.token;
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.retries = Math.max(0, options.retries ?? RETRY_DEFAULTS.retries);
  }

  /**
   * Creates a campaign from a recipient list, streamed (a file is never read whole into memory).
   * Without `idempotencyKey` NOT retried, whatever `retries` says: a retry after a lost answer would create a
   * second campaign (on a SobotBulkConnectionError the campaign may or may not exist: look at `listCampaigns()`
   * before uploading again). With a key, a `file` or `rows` upload is retried: the key makes it idempotent.
   */
  async createCampaign(input: CreateCampaignInput): Promise<UploadResult> {
    let body: string | ReadableStream<Uint8Array> | (() => Promise<ReadableStream<Uint8Array>>);
    let format = input.format;
    let name = input.name;
    const headers: Record<string, string> = {};
    if (input.idempotencyKey) headers['idempotency-key'] = input.idempotencyKey;
    if (input.file !== undefined) {
      format ??= formatFromPath(input.file);
      name ??= basename(input.file);
      const path = input.file;
      const file = await fileBody(path);
      headers['content-length'] = String(file.size);
      // Each try reads the file again.
      let first: ReadableStream<Uint8Array> | undefined = file.body;
      body = async () => {
        const next = first ?? (await fileBody(path)).body;
        first = undefined;
        return next;
      };
    } else if (input.stream !== undefined) {
      body = streamBody(input.stream);
    } else {
      format ??= 'json';
      body = JSON.stringify(input.rows);
    }
    headers['content-type'] = uploadContentType(format);
    const res = await this.send({
      method: 'POST',
      path: '/v1/campaigns',
      query: {
        name,
        image_url: input.imageUrl,
        mime_type: input.mimeType,
        caption: input.caption,
        format: input.format,
        strict: input.strict,
        dry_run: input.dryRun,
        name_fallback: input.nameFallback,
        country: input.country,
        phone_column: input.phoneColumn,
        name_column: input.nameColumn,
        header_row: input.headerRow,
        senders: Array.isArray(input.senders) ? input.senders.join(',') : input.senders,
        preflight: input.preflight,
        canary: input.canary,
        canary_max_failure_ratio: input.canaryMaxFailureRatio,
        lane: input.lane,
        weight: input.weight,
        send_at: input.sendAt instanceof Date ? input.sendAt.toISOString() : input.sendAt,
        quiet_hours: input.quietHours,
        window: input.window,
        force: input.force,
      },
      headers,
      body,
      idempotent: Boolean(input.idempotencyKey) && input.stream === undefined,
      signal: input.signal,
    });
    return this.json(res, isUploadResult, 'an upload result');
  }

  /**
   * Enqueues one message or a batch (up to 1000) as one small campaign. Always sends an
   * Idempotency-Key (a random one when none is given) so this call's own retries never send twice;
   * pass your own key to make your retries safe as well.
   */
  async sendMessages(
    messages: MessageInput[] | MessageInput,
    opts: {
      idempotencyKey?: string;
      lane?: Lane;
      sendAt?: Date | string;
      /** `HH:MM-HH:MM`: hold each message while its recipient's local time is inside; default none. */
      quietHours?: string;
      signal?: AbortSignal;
    } = {},
  ): Promise<SendMessagesResult> {
    const options = {
      ...(opts.lane ? { lane: opts.lane } : {}),
      ...(opts.sendAt ? { send_at: opts.sendAt instanceof Date ? opts.sendAt.toISOString() : opts.sendAt } : {}),
      ...(opts.quietHours ? { quiet_hours: opts.quietHours } : {}),
    };
    const res = await this.send({
      method: 'POST',
      path: '/v1/messages',
      headers: { 'content-type': 'application/json', 'idempotency-key': opts.idempotencyKey ?? randomUUID() },
      body: JSON.stringify(Array.isArray(messages) ? { messages, ...options } : { ...messages, ...options }),
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isSendMessagesResult, 'a send result');
  }

  /** Messages sent through the API since `since` (default: 24 hours ago), oldest first, a page at a time. */
  async listMessages(
    opts: { since?: Date | string; limit?: number; cursor?: string; signal?: AbortSignal } = {},
  ): Promise<MessageList> {
    const res = await this.send({
      method: 'GET',
      path: '/v1/messages',
      query: {
        since: opts.since instanceof Date ? opts.since.toISOString() : opts.since,
        limit: opts.limit,
        cursor: opts.cursor,
      },
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isMessageList, 'a message list');
  }

  /** API messages of the last 24 hours: accepted, sent, failed, skipped, pending. */
  async messageSummary(opts: { signal?: AbortSignal } = {}): Promise<MessageSummary> {
    const res = await this.send({ method: 'GET', path: '/v1/messages/summary', idempotent: true, signal: opts.signal });
    return this.json(res, isMessageSummary, 'a message summary');
  }

  async getMessage(id: string, opts: { signal?: AbortSignal } = {}): Promise<MessageView> {
    const res = await this.send({
      method: 'GET',
      path: `/v1/messages/${encodeURIComponent(id)}`,
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isMessageView, 'a message');
  }

  /**
   * One page of campaigns, newest first: pass `next_cursor` as `cursor` for the next page (null on the last).
   * `status` keeps campaigns with one of these statuses; a filtered page may come back short, its
   * `next_cursor` still says whether to go on. `limit` 1–200, default 50.
   */
  async listCampaigns(opts: CampaignListOptions & { cursor?: string } = {}): Promise<CampaignList> {
    const res = await this.send({
      method: 'GET',
      path: '/v1/campaigns',
      query: {
        limit: opts.limit,
        cursor: opts.cursor,
        status: Array.isArray(opts.status) ? opts.status.join(',') : opts.status,
      },
      idempotent: true,
      signal: opts.signal,
    });
    const page = await this.json(res, isCampaignList, 'a campaign list');
    return { campaigns: page.campaigns, next_cursor: page.next_cursor ?? null };
  }

  /** Every campaign (with `status`, when given), newest first, fetched a page of `limit` at a time. */
  async *campaigns(opts: CampaignListOptions = {}): AsyncGenerator<CampaignView> {
    let cursor: string | undefined;
    do {
      const page = await this.listCampaigns({ ...opts, cursor });
      yield* page.campaigns;
      cursor = page.next_cursor ?? undefined;
    } while (cursor !== undefined);
  }

  async getCampaign(id: string, opts: { signal?: AbortSignal } = {}): Promise<CampaignView> {
    const res = await this.send({
      method: 'GET',
      path: `/v1/campaigns/${encodeURIComponent(id)}`,
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isCampaignView, 'a campaign');
  }

  pause(id: string): Promise<ControlResult> {
    return this.control(id, 'pause');
  }

  resume(id: string): Promise<ControlResult> {
    return this.control(id, 'resume');
  }

  cancel(id: string): Promise<ControlResult> {
    return this.control(id, 'cancel');
  }

  /**
   * Puts the retryable failed recipients back to pending (every one with `include: 'all'`); `retried` says how many,
   * `left` how many stayed failed and why.
   */
  retryFailed(id: string, opts: RetryFailedOptions = {}): Promise<ControlResult> {
    return this.control(id, 'retry-failed', opts.include && { include: opts.include }, opts.signal);
  }

  /** Polls until the campaign is completed or cancelled and returns its final view. */
  async waitForCampaign(id: string, opts: WaitOptions = {}): Promise<CampaignView> {
    const intervalMs = opts.intervalMs ?? 1000;
    const deadline = opts.timeoutMs === undefined ? Infinity : Date.now() + opts.timeoutMs;
    for (;;) {
      const view = await this.getCampaign(id, { signal: opts.signal });
      opts.onProgress?.(view);
      if (FINAL_STATUSES.has(view.status)) return view;
      const left = deadline - Date.now();
      if (left <= 0)
        throw new SobotBulkTimeoutError(`campaign ${id} still ${view.status} after ${opts.timeoutMs} ms`, view);
      await sleep(Math.min(intervalMs, left), opts.signal);
    }
  }

  /**
   * Every recipient's row, parsed while the report streams (it is requested as NDJSON, the one format
   * whose rows arrive typed; `format` exists only to say so). Breaking out of the loop closes the stream.
   */
  async *report(id: string, opts: { format?: 'ndjson'; signal?: AbortSignal } = {}): AsyncGenerator<ReportRow> {
    const res = await this.openReport(id, opts.format ?? 'ndjson', opts.signal);
    if (!res.body) return;
    for await (const value of parseNdjson(res.body)) {
      if (!isReportRow(value)) throw new SobotBulkResponseError('a line of the report is not a report row');
      yield value;
    }
  }

  /** Adds numbers to the suppression list (all or nothing: one invalid number refuses the call). Retried safely. */
  async suppress(numbers: string[], opts: { reason?: string; signal?: AbortSignal } = {}): Promise<SuppressionImport> {
    const res = await this.send({
      method: 'POST',
      path: '/v1/suppressions',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ numbers, ...(opts.reason ? { reason: opts.reason } : {}) }),
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isSuppressionImport, 'a suppression result');
  }

  /**
   * Suppresses the numbers of a CSV (a file path or a stream) with a number column, read like an upload's; bad
   * rows come back in `errors`. Not retried on its own (a stream cannot be sent twice); importing twice is harmless.
   */
  async importSuppressions(
    source: { file: string } | { stream: Readable | AsyncIterable<Uint8Array | string> },
    opts: { reason?: string; phoneColumn?: string; signal?: AbortSignal } = {},
  ): Promise<SuppressionImport> {
    const headers: Record<string, string> = { 'content-type': 'text/csv' };
    let body: ReadableStream<Uint8Array>;
    if ('file' in source) {
      const file = await fileBody(source.file);
      body = file.body;
      headers['content-length'] = String(file.size);
    } else {
      body = streamBody(source.stream);
    }
    const res = await this.send({
      method: 'POST',
      path: '/v1/suppressions',
      query: { reason: opts.reason, phone_column: opts.phoneColumn },
      headers,
      body,
      idempotent: false,
      signal: opts.signal,
    });
    return this.json(res, isSuppressionImport, 'a suppression result');
  }

  /** A page of the suppression list; pass `next_cursor` back as `cursor` for the next. */
  async listSuppressions(
    opts: { limit?: number; cursor?: string; signal?: AbortSignal } = {},
  ): Promise<SuppressionList> {
    const res = await this.send({
      method: 'GET',
      path: '/v1/suppressions',
      query: { limit: opts.limit, cursor: opts.cursor },
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isSuppressionList, 'a suppression list');
  }

  /** The whole suppression list as CSV bytes (`number,reason,suppressed_at`), streamed. */
  async exportSuppressions(opts: { signal?: AbortSignal } = {}): Promise<Readable> {
    const res = await this.send({
      method: 'GET',
      path: '/v1/suppressions',
      query: { format: 'csv' },
      idempotent: true,
      signal: opts.signal,
    });
    return res.body ? Readable.fromWeb(res.body) : Readable.from([]);
  }

  /** A number's suppression, or null when it is not suppressed. */
  async getSuppression(number: string, opts: { signal?: AbortSignal } = {}): Promise<SuppressionView | null> {
    try {
      const res = await this.send({
        method: 'GET',
        path: `/v1/suppressions/${encodeURIComponent(number)}`,
        idempotent: true,
        signal: opts.signal,
      });
      return await this.json(res, isSuppressionView, 'a suppression');
    } catch (err) {
      if (err instanceof SobotBulkApiError && err.status === 404) return null;
      throw err;
    }
  }

  /** Lifts a number's suppression; false when it was not suppressed. */
  async unsuppress(number: string, opts: { signal?: AbortSignal } = {}): Promise<boolean> {
    try {
      await this.send({
        method: 'DELETE',
        path: `/v1/suppressions/${encodeURIComponent(number)}`,
        idempotent: true,
        signal: opts.signal,
      });
      return true;
    } catch (err) {
      if (err instanceof SobotBulkApiError && err.status === 404) return false;
      throw err;
    }
  }

  /**
   * Registers an event endpoint (SPEC §16); the answer's `secret` is shown only here: keep it for `verifyEvent`.
   * Not retried (a retry after a lost answer would register a second endpoint).
   */
  async createEventEndpoint(
    input: EventEndpointInput,
    opts: { signal?: AbortSignal } = {},
  ): Promise<EventEndpointCreated> {
    const res = await this.send({
      method: 'POST',
      path: '/v1/event-endpoints',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(input),
      idempotent: false,
      signal: opts.signal,
    });
    return this.json(res, isEventEndpointCreated, 'an event endpoint');
  }

  /** Every event endpoint, oldest first (no secrets). */
  async listEventEndpoints(opts: { signal?: AbortSignal } = {}): Promise<EventEndpointList> {
    const res = await this.send({ method: 'GET', path: '/v1/event-endpoints', idempotent: true, signal: opts.signal });
    return this.json(res, isEventEndpointList, 'a list of event endpoints');
  }

  async getEventEndpoint(id: string, opts: { signal?: AbortSignal } = {}): Promise<EventEndpointView> {
    const res = await this.send({
      method: 'GET',
      path: `/v1/event-endpoints/${encodeURIComponent(id)}`,
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isEventEndpointView, 'an event endpoint');
  }

  /** Removes an event endpoint; answers what it was. */
  async removeEventEndpoint(id: string, opts: { signal?: AbortSignal } = {}): Promise<EventEndpointView> {
    const res = await this.send({
      method: 'DELETE',
      path: `/v1/event-endpoints/${encodeURIComponent(id)}`,
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isEventEndpointView, 'an event endpoint');
  }

  /** A new signing secret; the previous one keeps signing for 24 h. Not retried (each call makes a secret). */
  /** The senders (SPEC §15): state, in-flight requests, their portfolios' 24 h budget. Never a key pair. */
  async listSenders(opts: { signal?: AbortSignal } = {}): Promise<SenderList> {
    const res = await this.send({ method: 'GET', path: '/v1/senders', idempotent: true, signal: opts.signal });
    return this.json(res, isSenderList, 'a list of senders');
  }

  /** Resumes a paused sender (and the campaigns paused NO_ACTIVE_SENDER); answers the sender. */
  async resumeSender(id: string, opts: { signal?: AbortSignal } = {}): Promise<SenderView> {
    const res = await this.send({
      method: 'POST',
      path: `/v1/senders/${encodeURIComponent(id)}/resume`,
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isSenderView, 'a sender');
  }

  async rotateEventEndpointSecret(id: string, opts: { signal?: AbortSignal } = {}): Promise<RotatedSecret> {
    const res = await this.send({
      method: 'POST',
      path: `/v1/event-endpoints/${encodeURIComponent(id)}/rotate-secret`,
      idempotent: false,
      signal: opts.signal,
    });
    return this.json(res, isRotatedSecret, 'a rotated secret');
  }

  /** Sends a signed `endpoint.test` event to the endpoint now; answers what the receiver said. */
  async testEventEndpoint(id: string, opts: { signal?: AbortSignal } = {}): Promise<EndpointTestResult> {
    const res = await this.send({
      method: 'POST',
      path: `/v1/event-endpoints/${encodeURIComponent(id)}/test`,
      idempotent: false,
      signal: opts.signal,
    });
    return this.json(res, isEndpointTestResult, 'a test result');
  }

  /** The endpoint's deliveries of one state (default `failed`, newest first), up to `limit` (100). */
  async listEventDeliveries(
    id: string,
    opts: { status?: DeliveryState; limit?: number; signal?: AbortSignal } = {},
  ): Promise<EventDeliveryList> {
    const q = new URLSearchParams({ status: opts.status ?? 'failed', limit: String(opts.limit ?? 100) });
    const res = await this.send({
      method: 'GET',
      path: `/v1/event-endpoints/${encodeURIComponent(id)}/deliveries?${q}`,
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isEventDeliveryList, 'a list of deliveries');
  }

  /**
   * Sends failed deliveries again (one by its id, or all failed since a time), due now with a fresh schedule; the
   * endpoint is enabled again. Safe to retry: a delivery already put back is no longer among the failed ones.
   */
  async replayEventDeliveries(
    id: string,
    which: ReplayInput,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ replayed: number }> {
    const res = await this.send({
      method: 'POST',
      path: `/v1/event-endpoints/${encodeURIComponent(id)}/replay`,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(which),
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isReplayResult, 'a replay result');
  }

  /** The endpoint's health: last success, failing since, backlog, lag. */
  async eventEndpointHealth(id: string, opts: { signal?: AbortSignal } = {}): Promise<EndpointHealthView> {
    const res = await this.send({
      method: 'GET',
      path: `/v1/event-endpoints/${encodeURIComponent(id)}/health`,
      idempotent: true,
      signal: opts.signal,
    });
    return this.json(res, isEndpointHealth, 'an endpoint health');
  }

  /** The report as bytes in the given format (for a file or stdout); nothing is buffered. */
  async reportStream(id: string, format: ReportFormat, opts: { signal?: AbortSignal } = {}): Promise<Readable> {
    const res = await this.openReport(id, format, opts.signal);
    return res.body ? Readable.fromWeb(res.body) : Readable.from([]);
  }

  /** Streams the report to `destPath`; a failed download leaves no partial file behind. */
  async downloadReport(
    id: string,
    format: ReportFormat,
    destPath: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ bytes: number }> {
    return this.toFile(await this.reportStream(id, format, opts), destPath);
  }

  /**
   * The upload's rejected rows as bytes: for a CSV or .xlsx upload (as `csv` or `xlsx`) its own columns with each
   * rejected row's original cells, then `line,field,message`, so the file can be fixed and uploaded as it is.
   */
  async rejectedStream(id: string, format: ReportFormat, opts: { signal?: AbortSignal } = {}): Promise<Readable> {
    const res = await this.openReport(id, format, opts.signal, 'rejected');
    return res.body ? Readable.fromWeb(res.body) : Readable.from([]);
  }

  /** Streams the rejected rows (see rejectedStream) to `destPath`; a failed download leaves no partial file. */
  async downloadRejected(
    id: string,
    format: ReportFormat,
    destPath: string,
    opts: { signal?: AbortSignal } = {},
  ): Promise<{ bytes: number }> {
    return this.toFile(await this.rejectedStream(id, format, opts), destPath);
  }

  private async toFile(source: Readable, destPath: string): Promise<{ bytes: number }> {
    let bytes = 0;
    source.on('data', (chunk: Buffer) => (bytes += chunk.length));
    try {
      await pipeline(source, createWriteStream(destPath));
    } catch (err) {
      await rm(destPath, { force: true });
      throw err;
    }
    return { bytes };
  }

  private openReport(
    id: string,
    format: ReportFormat,
    signal: AbortSignal | undefined,
    which: 'report' | 'rejected' = 'report',
  ): Promise<Response> {
    return this.send({
      method: 'GET',
      path: `/v1/campaigns/${encodeURIComponent(id)}/${which}`,
      query: { format },
      idempotent: true,
      signal,
    });
  }

  private async control(
    id: string,
    action: 'pause' | 'resume' | 'cancel' | 'retry-failed',
    query?: Call['query'],
    signal?: AbortSignal,
  ): Promise<ControlResult> {
    const res = await this.send({
      method: 'POST',
      path: `/v1/campaigns/${encodeURIComponent(id)}/${action}`,
      query,
      idempotent: true,
      signal,
    });
    return this.json(res, (v): v is ControlResult => isCampaignView(v), `the campaign after ${action}`);
  }

  private url(path: string, query: Call['query']): string {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined) params.set(k, String(v));
    const qs = params.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  /** One call, retried as retry.ts says when `idempotent`; resolves with a 2xx response only. */
  private async send(call: Call): Promise<Response> {
    const url = this.url(call.path, call.query);
    const attempts = call.idempotent ? this.retries + 1 : 1;
    for (let n = 0; ; n += 1) {
      const last = n + 1 >= attempts;
      const body = typeof call.body === 'function' ? await call.body() : call.body;
      const streamed = body instanceof ReadableStream;
      let res: Response;
      try {
        res = await this.fetchImpl(url, {
          method: call.method,
          headers: { accept: 'application/json', ...call.headers, authorization: `Bearer ${this.token}` },
          body,
          signal: call.signal,
          ...(streamed ? { duplex: 'half' as const } : {}),
        });
      } catch (err) {
        if (call.signal?.aborted) throw err;
        if (!last) {
          await sleep(backoffMs(n), call.signal);
          continue;
        }
        const why = reason(err);
        const note =
          call.idempotent || NOT_CONNECTED.has(why)
            ? ''
            : ' (not retried: the request may or may not have been received)';
        throw new SobotBulkConnectionError(`cannot reach ${this.baseUrl}: ${why}${note}`, err);
      }
      if (res.ok) return res;
      const error = await this.apiError(res);
      const busy = call.idempotent && isInProgress(res.status, error.code);
      if (!(isRetryableStatus(res.status) || busy) || last) throw error;
      await sleep(Math.max(backoffMs(n), retryAfterMs(res.headers.get('retry-after')) ?? 0), call.signal);
    }
  }

  private async apiError(res: Response): Promise<SobotBulkApiError> {
    const text = await res.text().catch(() => '');
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    if (isApiErrorBody(body))
      return new SobotBulkApiError(res.status, body.error.code, body.error.message, body.error.details);
    const snippet = text.trim().slice(0, 200);
    return new SobotBulkApiError(
      res.status,
      `HTTP_${res.status}`,
      `${res.status} ${res.statusText}${snippet ? `: ${snippet}` : ''}`,
    );
  }

  private async json<T>(res: Response, guard: (v: unknown) => v is T, what: string): Promise<T> {
    let value: unknown;
    try {
      value = await res.json();
    } catch {
      throw new SobotBulkResponseError(
        `${res.url || this.baseUrl} answered ${res.status} with something that is not JSON (expected ${what})`,
      );
    }
    if (!guard(value))
      throw new SobotBulkResponseError(
        `${res.url || this.baseUrl} answered ${res.status} with something that is not ${what}`,
      );
    return value;
  }
}
