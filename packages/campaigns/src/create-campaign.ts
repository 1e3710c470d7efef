import type { Readable } from 'node:stream';
import { ingestRecipients } from '@sobot/ingest';
import {
  validateDefaults,
  type CampaignDefaults,
  type Lane,
  type SobotImageMessage,
  type UploadResult,
  type ValidationOptions,
} from '@sobot/schema';
import { AUDIENCE } from '@sobot/store';
import type { CampaignDeps } from './deps';
import { ConflictError, InputError } from './errors';
import { preflightImage } from './image-preflight';

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
  /** Check the campaign's image (reachable, JPEG/PNG, ≤ 5 MB) before reading the list. */
  preflight?: boolean;
  /** The header of the phone column, when several could be (`phone_column=`). */
  phoneColumn?: string;
  /** The header of the name column (`name_column=`). */
  nameColumn?: string;
  /** Send the first `size` recipients (whole chunks of 200) and go on only if few of them fail. */
  canary?: { size: number; maxFailureRatio: number };
  /** Default bulk; transactional jumps ahead of every bulk campaign (an operator's choice). */
  lane?: Lane;
  /** Share of the bulk rate relative to other running campaigns (1–100). */
  weight?: number;
  /** Nothing is sent before this (ms since the epoch). */
  sendAt?: number;
  /** `skip`: recipients outside their 24-hour window at send time are skipped (SPEC §12). Default `send`. */
  window?: 'send' | 'skip';
  /** `window=skip` even when no inbound message arrived in the last 24 hours. */
  force?: boolean;
}

/** A day: with `window=skip`, an upload needs an inbound message within it (else 409 NO_INBOUND_EVENTS). */
const INBOUND_WITHIN_MS = 86_400_000;

/**
 * Streams an upload into a new campaign: rows are validated and written chunk by chunk while the body
 * is read; only a fully read, acceptable file becomes a campaign with jobs. Any failure removes what was
 * written: a rejected file leaves nothing behind.
 */
export async function createCampaign(deps: CampaignDeps, input: UploadInput): Promise<UploadResult> {
  const defaultErrors = validateDefaults(input.defaults);
  if (defaultErrors.length > 0) {
    throw new InputError(
      'INVALID_DEFAULTS',
      `invalid campaign defaults: ${defaultErrors.map((e) => `${e.field} ${e.message}`).join('; ')}`,
      defaultErrors,
    );
  }
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
  const writer = input.dryRun
    ? undefined
    : deps.store.newCampaign(input.defaults, undefined, { suppression: true, window: true });
  const dryRun = dryRunScreen(deps);
  try {
    const summary = await ingestRecipients(input.body, {
      format: input.format,
      defaults: input.defaults,
      validation: input.validation,
      strict: input.strict,
      maxErrors: STORED_ERRORS,
      phoneColumn: input.phoneColumn,
      nameColumn: input.nameColumn,
      sink: writer ? writer.add : dryRun.add,
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
    await writer.commit({
      name: input.name,
      source: 'upload',
      defaults: input.defaults,
      total: summary.total,
      rejected: summary.rejected,
      duplicates: summary.duplicates,
      rejectedRows: summary.errors,
      canary: input.canary,
      lane: input.lane,
      weight: input.weight,
      sendAt: input.sendAt,
      window: input.window,
    });
    return result(writer.count, writer.suppressed, writer.inWindow);
  } catch (err) {
    await writer?.abort();
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
