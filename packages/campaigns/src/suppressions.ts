import type { Readable } from 'node:stream';
import { ingestRecipients, type IngestSummary } from '@sobot/ingest';
import {
  normalizeNumber,
  type SuppressionImport,
  type SuppressionList,
  type SuppressionView,
  type ValidationOptions,
} from '@sobot/schema';
import type { Suppression } from '@sobot/store';
import type { CampaignDeps } from './deps';
import { InputError } from './errors';
import { csvCell, CSV_BOM } from './report-format';
import { SHOWN_ERRORS } from './create-campaign';

/**
 * The suppression list's API side (SPEC §12): numbers are read with the uploads' normaliser (and, from CSV, the
 * uploads' header aliases, row numbers and duplicate counting); the store keeps them (store.audience).
 */

/** Numbers per store write while a CSV is read. */
const WRITE_BATCH = 5_000;
/**
 * A CSV of numbers goes through the uploads' reader: each row must look like a recipient, so the reader is given
 * an image it never fetches and takes the number as the name. Only the numbers are kept.
 */
const READ_AS_RECIPIENTS = { image_url: 'https://suppression-list.invalid/unused.jpg' };

const view = (s: Suppression): SuppressionView => ({
  number: s.number,
  reason: s.reason,
  suppressed_at: new Date(s.at).toISOString(),
});

/** `{numbers:[…]}`: all or nothing — one invalid number refuses the call (400 INVALID_NUMBERS, by index). */
export async function suppressNumbers(
  deps: CampaignDeps,
  raw: string[],
  reason: string | undefined,
  validation: ValidationOptions = {},
): Promise<SuppressionImport> {
  const errors: Array<{ index: number; message: string }> = [];
  const numbers = new Set<string>();
  raw.forEach((cell, index) => {
    const n = normalizeNumber(cell, validation.defaultCountryCode);
    if (n.ok) numbers.add(n.value);
    else errors.push({ index, message: n.message });
  });
  if (errors.length > 0) {
    throw new InputError(
      'INVALID_NUMBERS',
      `${errors.length} of ${raw.length} numbers are not valid; nothing was added`,
      errors.slice(0, SHOWN_ERRORS),
    );
  }
  const added = await deps.store.audience.suppress([...numbers], reason ?? null);
  return {
    received: raw.length,
    added,
    already: numbers.size - added,
    duplicates: raw.length - numbers.size,
    rejected: 0,
    errors: [],
  };
}

/**
 * A CSV (or JSON / NDJSON list) with a number column, streamed: valid rows are suppressed as they are read, bad
 * rows reported with their row and line like an upload's (IngestError when the file as a whole is refused).
 */
export async function importSuppressions(
  deps: CampaignDeps,
  body: Readable | AsyncIterable<Buffer | string>,
  opts: { reason?: string; format?: 'csv' | 'json' | 'ndjson' | 'auto'; phoneColumn?: string; strict?: boolean },
  validation: ValidationOptions = {},
): Promise<SuppressionImport> {
  let batch: string[] = [];
  let added = 0;
  const flush = async () => {
    const numbers = batch;
    batch = [];
    added += await deps.store.audience.suppress(numbers, opts.reason ?? null);
  };
  const summary: IngestSummary = await ingestRecipients(body, {
    format: opts.format ?? 'auto',
    defaults: READ_AS_RECIPIENTS,
    validation: { ...validation, nameFallbackToNumber: true },
    strict: opts.strict,
    phoneColumn: opts.phoneColumn,
    sink: (m) => {
      batch.push(m.customer_number);
      return batch.length >= WRITE_BATCH ? flush() : undefined;
    },
  });
  if (batch.length > 0) await flush();
  return {
    received: summary.total,
    added,
    already: summary.accepted - added,
    duplicates: summary.duplicates,
    rejected: summary.rejected,
    errors: numberErrors(summary.errors).slice(0, SHOWN_ERRORS),
  };
}

/** A row with a bad number is told about its number only (the name it lacks as a result is noise here). */
function numberErrors(errors: IngestSummary['errors']): IngestSummary['errors'] {
  const badNumber = new Set(errors.filter((e) => e.field === 'customer_number').map((e) => e.row));
  return errors.filter((e) => e.field === 'customer_number' || !badNumber.has(e.row));
}

/** The number as the list keys it (the uploads' normaliser), or undefined when it cannot be a number. */
export function suppressionKey(raw: string, validation: ValidationOptions = {}): string | undefined {
  const n = normalizeNumber(raw, validation.defaultCountryCode);
  return n.ok ? n.value : undefined;
}

export async function getSuppression(deps: CampaignDeps, number: string): Promise<SuppressionView | undefined> {
  const s = await deps.store.audience.suppression(number);
  return s && view(s);
}

/** Lifts one number's suppression; the suppression it had, or undefined when it had none. */
export async function unsuppressNumber(deps: CampaignDeps, number: string): Promise<SuppressionView | undefined> {
  const s = await deps.store.audience.suppression(number);
  if (!s) return undefined;
  await deps.store.audience.unsuppress([number]);
  return view(s);
}

export async function listSuppressions(
  deps: CampaignDeps,
  limit: number,
  cursor: string | undefined,
): Promise<SuppressionList> {
  const [page, total] = await Promise.all([
    deps.store.audience.suppressions(limit, cursor ?? null),
    deps.store.audience.suppressedCount(),
  ]);
  return { suppressions: page.items.map(view), next_cursor: page.next, total };
}

/** The whole list as CSV, streamed: `number,reason,suppressed_at`, numbers as plain digits (imports back as is). */
export async function* suppressionsCsv(deps: CampaignDeps): AsyncGenerator<string> {
  yield `${CSV_BOM}number,reason,suppressed_at\r\n`;
  for await (const batch of deps.store.audience.allSuppressions()) {
    yield batch.map((s) => `${s.number},${csvCell(s.reason ?? '')},${view(s).suppressed_at}\r\n`).join('');
  }
}
