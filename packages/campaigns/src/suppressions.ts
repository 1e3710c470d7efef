import { randomUUID } from 'node:crypto';
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

/** Numbers per staged batch while a CSV is read. */
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
  source: s.source,
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
  const added = await deps.store.audience.suppress([...numbers], reason ?? null, Date.now(), 'operator');
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
 * A CSV (or JSON / NDJSON list) with a number column, streamed, all or nothing (SPEC §21): the numbers are staged
 * in the store as they are read (not held in memory) and suppressed (source `import`) only once the whole file
 * has been read without a bad row. A refused file (IngestError: too large, unreadable, no number column) or one
 * with bad rows (400 INVALID_ROWS, by row and line like an upload's) adds no number.
 */
export async function importSuppressions(
  deps: CampaignDeps,
  body: Readable | AsyncIterable<Buffer | string>,
  opts: { reason?: string; format?: 'csv' | 'json' | 'ndjson' | 'auto'; phoneColumn?: string; strict?: boolean },
  validation: ValidationOptions = {},
): Promise<SuppressionImport> {
  const audience = deps.store.audience;
  const stage = randomUUID();
  let batch: string[] = [];
  const flush = async () => {
    const numbers = batch;
    batch = [];
    await audience.stageImport(stage, numbers);
  };
  let summary: IngestSummary;
  try {
    summary = await ingestRecipients(body, {
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
  } catch (err) {
    await audience.dropImport(stage);
    throw err;
  }
  if (summary.rejected > 0) {
    await audience.dropImport(stage);
    throw new InputError(
      'INVALID_ROWS',
      `${summary.rejected} of ${summary.total} rows are not valid; nothing was added`,
      numberErrors(summary.errors).slice(0, SHOWN_ERRORS),
    );
  }
  const added = await audience.commitImport(stage, opts.reason ?? null, 'import');
  return {
    received: summary.total,
    added,
    already: summary.accepted - added,
    duplicates: summary.duplicates,
    rejected: 0,
    errors: [],
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

/**
 * The whole list as CSV, streamed: `number,reason,suppressed_at,source`, numbers as `+` and digits: the file imports
 * back as the same numbers whatever the default country (a 10-digit `6581234567` would read as national).
 */
export async function* suppressionsCsv(deps: CampaignDeps): AsyncGenerator<string> {
  yield `${CSV_BOM}number,reason,suppressed_at,source\r\n`;
  for await (const batch of deps.store.audience.allSuppressions()) {
    yield batch.map((s) => `+${s.number},${csvCell(s.reason ?? '')},${view(s).suppressed_at},${s.source}\r\n`).join('');
  }
}
