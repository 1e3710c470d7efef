import { chooseSenders } from './sender-choice';
import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import { ingestRecipients, type RejectedCells, type XlsxOptions } from '@sobot/ingest';
import { AUDIENCE, newCampaignId } from '@sobot/store';
import {
  DAY_MS,
  validateDefaults,
  type CampaignDefaults,
  type Lane,
  type QuietSpan,
  type RowError,
  type SobotImageMessage,
  type UploadResult,
  type ValidationOptions,
} from '@sobot/schema';
import type { CampaignDeps } from './deps';
import { ConflictError, DuplicateUploadError, IdempotencyConflictError, InputError } from './errors';
import { once } from './idempotency';
import { preflightImage } from './image-preflight';
import { UploadFingerprint } from './upload-fingerprint';

/** Row errors shown in the upload answer; the rejected-rows download has up to STORED_ERRORS. */
export const SHOWN_ERRORS = 1_000;
const STORED_ERRORS = 100_000;

export interface UploadInput {
  body: Readable | AsyncIterable<Buffer | string>;
  format: 'csv' | 'json' | 'ndjson' | 'auto';
  name: string;
  defaults: CampaignDefaults;
  strict?: boolean;
  dryRun?: boolean;
  validation?: ValidationOptions;
  /** The list's country (ISO 3166 alpha-2, the upload's `country`); else DEFAULT_COUNTRY_CODE, else inferred. */
  country?: string;
  /** Check the campaign's image (reachable, JPEG/PNG, ≤ 5 MB) before reading the list. */
  preflight?: boolean;
  /** The header of the phone column, when several could be (`phone_column=`). */
  phoneColumn?: string;
  /** The header of the name column (`name_column=`). */
  nameColumn?: string;
  /** The line of a sheet holding the header (`header_row=`); default: found in the first lines (ingest). */
  headerRow?: number;
  /** Send the first `size` recipients (whole chunks of 200) and go on only if few of them fail. */
  canary?: { size: number; maxFailureRatio: number };
  /** Default bulk; transactional jumps ahead of every bulk campaign (an operator's choice). */
  lane?: Lane;
  /** Share of the bulk rate relative to other running campaigns (1–100). */
  weight?: number;
  /** Nothing is sent before this (ms since the epoch). */
  sendAt?: number;
  /** Recipients wait while this span covers their local time (SPEC §10). */
  quietHours?: QuietSpan;
  /**
   * `Idempotency-Key`: the same key never creates two campaigns. `options` fingerprints everything of the
   * request but the file (the file's bytes are hashed as they stream).
   */
  idempotency?: { key: string; options: string };
  /** `skip`: recipients outside their 24-hour window at send time are skipped (SPEC §12). Default `send`. */
  window?: 'send' | 'skip';
  /** `sender` / `senders` (SPEC §15): the senders it may use; empty or absent: every active sender. */
  senders?: string[];
  /**
   * Upload anyway: with `window=skip` even when no inbound message arrived in the last 24 hours, and even when the
   * same recipients and message were uploaded in the last 24 h (else 409 DUPLICATE_UPLOAD).
   */
  force?: boolean;
  /** An .xlsx upload's limits (MAX_XLSX_*) and where it is spooled. */
  workbook?: XlsxOptions;
}

/** A day: with `window=skip`, an upload needs an inbound message within it (else 409 NO_INBOUND_EVENTS). */
const INBOUND_WITHIN_MS = DAY_MS;

/**
 * Streams an upload into a new campaign: rows are validated and written chunk by chunk while the body
 * is read; only a fully read, acceptable file becomes a campaign with jobs. Any failure removes what was
 * written: a rejected file leaves nothing behind.
 */
export async function createCampaign(deps: CampaignDeps, input: UploadInput): Promise<UploadResult> {
  const idem = input.dryRun ? undefined : input.idempotency;
  if (!idem) return create(deps, input);
  const id = newCampaignId();
  const used = (campaignId: string, what: string) =>
    new IdempotencyConflictError(`this Idempotency-Key was already used for campaign ${campaignId} with ${what}`);
  return once(deps, {
    key: idem.key,
    campaignId: id,
    request: idem.options,
    // A file may stream for minutes: a retry is answered 409 (retry) rather than held that long.
    whileHeld: 'refuse',
    create: async (fence) => {
      const hash = createHash('sha256');
      const answer = await create(deps, { ...input, body: hashed(input.body, hash) }, id, fence);
      return { answer, content: hash.digest('hex'), stored: JSON.stringify(answer) };
    },
    content: async () => {
      // Only hashed: the body is read to its end whatever the answer.
      const hash = createHash('sha256');
      for await (const chunk of input.body) hash.update(chunk);
      return hash.digest('hex');
    },
    replay: async (campaignId, stored) => ({
      ...(await answerOf(deps, campaignId, stored, input.name)),
      replayed: true,
    }),
    conflict: (campaignId, what) =>
      used(campaignId, what === 'request' ? 'different upload options' : 'a different file'),
  });
}

/** The body's chunks, each also fed to `hash` (nothing is held). */
async function* hashed(body: UploadInput['body'], hash: Hash): AsyncGenerator<Buffer | string> {
  for await (const chunk of body) {
    hash.update(chunk);
    yield chunk;
  }
}

/**
 * The answer an upload gave when it created campaign `id`. Normally stored with its key; rebuilt from the campaign
 * when its producer died between creating it and storing the answer.
 */
async function answerOf(deps: CampaignDeps, id: string, stored: string | undefined, name: string) {
  if (stored) return JSON.parse(stored) as UploadResult;
  const view = await deps.store.campaigns.view(id);
  return {
    id,
    name: view?.name ?? name,
    status: view?.status ?? 'queued',
    total: view?.rows.total ?? 0,
    accepted: view?.rows.accepted ?? 0,
    rejected: view?.rows.rejected ?? 0,
    duplicates: view?.rows.duplicates ?? 0,
    suppressed: view?.rows.suppressed ?? 0,
    in_window: view?.in_window ?? 0,
    errors: (await deps.store.campaigns.rejectedRows(id)).slice(0, SHOWN_ERRORS),
  } satisfies UploadResult;
}

async function create(
  deps: CampaignDeps,
  input: UploadInput,
  id?: string,
  beforeCommit?: () => Promise<void>,
): Promise<UploadResult> {
  const defaultErrors = validateDefaults(input.defaults);
  if (defaultErrors.length > 0) {
    throw new InputError(
      'INVALID_DEFAULTS',
      `invalid campaign defaults: ${defaultErrors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
      defaultErrors,
    );
  }
  const senders = await chooseSenders(deps, ...(input.senders ?? []));
  if (input.preflight && input.defaults.image_url) {
    await preflightImage(input.defaults.image_url, { allowPrivateUrls: deps.cfg?.ALLOW_PRIVATE_URLS });
  }
  if (input.window === 'skip' && !input.force) {
    const last = await deps.store.audience.lastInboundAt();
    if (last === null || Date.now() - last >= INBOUND_WITHIN_MS) {
      throw new ConflictError(
        'NO_INBOUND_EVENTS',
        'window=skip, but no inbound message arrived at the webhook in the last 24 hours: every recipient ' +
          'would be skipped. Check the webhook (SPEC §12), or add force=true to upload anyway',
      );
    }
  }
  // Suppressed numbers are left out (and counted) as the list is read; recipients inside their window counted.
  const newWriter = (campaignId = id) =>
    input.dryRun ? undefined : deps.store.newCampaign(input.defaults, campaignId, { suppression: true, window: true });
  let writer = newWriter();
  let dryRun = dryRunScreen(deps);
  // The upload's content hash (SPEC §20): claimed just before the commit, so the same file twice is one campaign.
  let print = new UploadFingerprint(input.defaults);
  let claimed: string | undefined;
  try {
    const summary = await ingestRecipients(input.body, {
      format: input.format,
      defaults: input.defaults,
      validation: input.validation,
      country: input.country,
      // The country guessed from the file's start was not the whole file's: it is read again from the start.
      inferCountry: {
        restart: async () => {
          print = new UploadFingerprint(input.defaults);
          if (writer) {
            await writer.abort();
            writer = newWriter(writer.campaignId);
          } else dryRun = dryRunScreen(deps);
        },
      },
      strict: input.strict,
      maxErrors: STORED_ERRORS,
      phoneColumn: input.phoneColumn,
      nameColumn: input.nameColumn,
      headerRow: input.headerRow,
      workbook: input.workbook,
      sink: (m) => {
        print.add(m);
        return writer ? writer.add(m) : dryRun.add(m);
      },
    });
    const result = (accepted: number, suppressed: number, inWindow: number): UploadResult => ({
      id: writer?.campaignId ?? '',
      name: input.name,
      status: input.sendAt ? 'scheduled' : 'queued',
      total: summary.total,
      accepted,
      rejected: summary.rejected,
      duplicates: summary.duplicates,
      suppressed,
      in_window: inWindow,
      errors: summary.errors.slice(0, SHOWN_ERRORS),
      columns: summary.columns,
      ...(summary.header_row === undefined ? {} : { header_row: summary.header_row }),
      empty_variables: summary.empty_variables,
      countries: summary.countries,
      country: summary.country ?? null,
      country_source: summary.country_source,
    });
    if (!writer) {
      const preview = summary.preview.map(({ type: _, ...m }) => m);
      await dryRun.flush();
      return {
        ...result(summary.accepted - dryRun.suppressed, dryRun.suppressed, dryRun.inWindow),
        dry_run: true,
        preview,
      };
    }
    await beforeCommit?.();
    const hash = print.digest();
    const holder = await deps.store.uploadPrints.claim(hash, writer.campaignId, input.name, input.force);
    if (holder) throw new DuplicateUploadError(holder);
    claimed = hash;
    await writer.commit({
      name: input.name,
      source: 'upload',
      defaults: input.defaults,
      total: summary.total,
      rejected: summary.rejected,
      duplicates: summary.duplicates,
      rejectedRows: withCells(summary.errors, summary.rejected_cells),
      rejectedHeader: summary.header,
      canary: input.canary,
      lane: input.lane,
      weight: input.weight,
      sendAt: input.sendAt,
      quietHours: input.quietHours,
      window: input.window,
      senders,
    });
    // Should this fail, the claim lapses after its lease: the campaign exists either way.
    await deps.store.uploadPrints.settle(hash, writer.campaignId).catch(() => undefined);
    return result(writer.count, writer.suppressed, writer.inWindow);
  } catch (err) {
    await writer?.abort();
    if (claimed && writer) await deps.store.uploadPrints.release(claimed, writer.campaignId).catch(() => undefined);
    throw err;
  }
}

/** A dry run stores nothing but counts what an upload would: suppressed numbers and recipients in their window. */
function dryRunScreen(deps: CampaignDeps) {
  let batch: string[] = [];
  const counts = { suppressed: 0, inWindow: 0 };
  const flush = async () => {
    const numbers = batch;
    batch = [];
    if (numbers.length === 0) return;
    for (const f of await deps.store.audience.lookup(numbers, { window: true })) {
      if (f & AUDIENCE.suppressed) counts.suppressed += 1;
      else if (f & AUDIENCE.inWindow) counts.inWindow += 1;
    }
  };
  return {
    add: (m: SobotImageMessage): void | Promise<void> => {
      batch.push(m.customer_number);
      return batch.length >= 4_000 ? flush() : undefined;
    },
    flush,
    get suppressed() {
      return counts.suppressed;
    },
    get inWindow() {
      return counts.inWindow;
    },
  };
}

/** Row errors with, on the first error of each row, the row's cells as the file had them (the rejected download). */
function withCells(errors: RowError[], cells: RejectedCells[] | undefined): Array<RowError & { cells?: string[] }> {
  if (!cells || cells.length === 0) return errors;
  const byRow = new Map(cells.map((c) => [c.row, c.cells]));
  let last = 0;
  return errors.map((e) => {
    const own = e.row !== last ? byRow.get(e.row) : undefined;
    last = e.row;
    return own ? { ...e, cells: own } : e;
  });
}
