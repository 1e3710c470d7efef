import { parseCaptionTemplate, validateDefaults, type ColumnsUsed } from '@sobot/schema';
import { readCsv } from './csv';
import { noPhoneColumn, unknownVariables } from './columns';
import { sniffFormat, type RecipientFormat } from './detect-format';
import { IngestError, type IngestSummary } from './errors';
import { readJson } from './json';
import { JsonRecipients } from './json-recipient';
import { readNdjson } from './ndjson';
import { openSource, type RecipientInput } from './source';
import { Table } from './table';
import { Tally, type TallyOptions } from './tally';
import { readXlsx, type XlsxOptions } from './xlsx';

export interface IngestOptions extends TallyOptions {
  /** 'auto' looks at the first bytes: see sniffFormat. An .xlsx workbook is read as one whatever this says. */
  format: RecipientFormat | 'auto';
  /** An .xlsx workbook's limits (default DEFAULT_WORKBOOK_LIMITS) and where it is spooled. */
  workbook?: XlsxOptions;
}

/**
 * Streams a recipient file (CSV, JSON, NDJSON, UTF-8 or UTF-16, or the first sheet of an .xlsx) through validation
 * and de-duplication, handing every new valid recipient to `sink` in file order and awaiting the sink when it
 * returns a promise. Memory does not grow with the file beyond one NumberSet of the numbers seen (and an .xlsx
 * workbook's shared strings).
 *
 * Throws IngestError when the file as a whole is refused. Rows handed to the sink before a failure found later
 * (a parse error, STRICT_REJECTED, NO_VALID_ROWS) are the caller's to discard. After the first bad row of a strict
 * file the sink is no longer called, but the file is read to the end so the error lists every bad row (up to
 * maxErrors) and the counts are exact.
 */
export async function ingestRecipients(input: RecipientInput, options: IngestOptions): Promise<IngestSummary> {
  const defaultErrors = validateDefaults(options.defaults);
  if (defaultErrors.length > 0) {
    const list = defaultErrors.map((e) => `${e.field} ${e.message}`).join('; ');
    throw new IngestError('INVALID_DEFAULTS', `invalid campaign defaults: ${list}`, defaultErrors);
  }

  const tally = new Tally(options);
  const template = parseCaptionTemplate(options.defaults.caption);
  if (template) tally.captionIsTemplate();
  const choice = { phoneColumn: options.phoneColumn, nameColumn: options.nameColumn };
  const source = await openSource(input);
  let json: JsonRecipients | undefined;
  let columns: ColumnsUsed | undefined;
  try {
    if (source.empty) throw new IngestError('NO_VALID_ROWS', 'the file is empty', tally.summary());
    const format =
      source.kind === 'xlsx' ? 'xlsx' : options.format === 'auto' ? sniffFormat(source.head) : options.format;
    if (format === 'csv' || format === 'xlsx') {
      const table = new Table(tally, choice, template, format === 'xlsx');
      if (format === 'csv') await readCsv(source.head, source.chunks, table);
      else await readXlsx(source.chunks, table, options.workbook);
      columns = table.used;
    } else {
      json = new JsonRecipients(tally, choice, template);
      if (format === 'json') await readJson(source.head, source.chunks, json);
      else await readNdjson(source.chunks, json);
      columns = json.used;
      const unseen = template?.variables.filter((v) => !json!.variablesSeen.has(v.key)) ?? [];
      if (unseen.length > 0 && tally.summary().total > 0) throw unknownVariables(unseen.map((v) => v.name));
    }
  } finally {
    await source.close();
  }

  const summary = { ...tally.summary(), columns };
  if (options.strict && summary.rejected > 0) {
    throw new IngestError(
      'STRICT_REJECTED',
      `strict: ${summary.rejected} of ${summary.total} rows are invalid`,
      summary,
    );
  }
  if (summary.accepted === 0) {
    // JSON has no header: a file none of whose objects has a phone key is told so instead of "no valid rows".
    if (json && summary.total > 0 && !json.sawPhoneKey) throw noPhoneColumn('no object has such a key');
    throw new IngestError('NO_VALID_ROWS', noValidRows(summary), summary);
  }
  return summary;
}

function noValidRows(s: IngestSummary): string {
  if (s.total === 0) return 'the file has no recipients';
  return `no valid recipients: all ${s.total} rows are invalid`;
}
