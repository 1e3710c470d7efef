import { parseCaptionTemplate, validateDefaults, type CaptionTemplate, type ColumnsUsed } from '@sobot/schema';
import { readCsv } from './csv';
import { noPhoneColumn, unknownVariables } from './columns';
import { CountrySurvey, givenCountry, type ListCountry } from './country';
import { sniffFormat, type RecipientFormat } from './detect-format';
import { IngestError, type IngestSummary } from './errors';
import { readJson } from './json';
import { JsonRecipients } from './json-recipient';
import { readNdjson } from './ndjson';
import { openSource, type RecipientInput } from './source';
import { Spool } from './spool';
import { Table } from './table';
import { Tally, type Rows, type TallyOptions } from './tally';
import { readXlsx } from './xlsx';

export interface IngestOptions extends TallyOptions {
  /** 'auto' looks at the first bytes: see sniffFormat. An .xlsx workbook is read as one whatever this says. */
  format: RecipientFormat | 'auto';
  /**
   * The list's country (ISO 3166 alpha-2, the upload's `country`): bare numbers are read in it. Else
   * `validation.defaultCountryCode`; else it is inferred from the file (SPEC §20).
   */
  country?: string;
  /**
   * With no country given, infer it from the file (two passes over a copy on disk). Without, bare numbers are
   * read as international (`country_source: none`).
   */
  inferCountry?: boolean;
}

/**
 * Streams a recipient file (CSV, JSON, NDJSON, UTF-8 or UTF-16, or the first sheet of an .xlsx) through validation
 * and de-duplication, handing every new valid recipient to `sink` in file order and awaiting the sink when it
 * returns a promise. Memory does not grow with the file beyond one NumberSet of the numbers seen (and an .xlsx
 * workbook's shared strings).
 *
 * With no country given (`country`, DEFAULT_COUNTRY_CODE), the file is read twice: first copied to a temporary
 * file while its numbers' countries are counted (nothing reaches the sink), then read again from that copy in
 * the country inferred. The copy is deleted on every path.
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
  const given = givenCountry(options.country, options.validation?.defaultCountryCode);
  if (given) return readList(input, options, given);

  if (!options.inferCountry) return readList(input, options, { country: null, source: 'none', reading: {} });
  const spool = await Spool.open(input);
  try {
    const survey = new CountrySurvey();
    await readRows(spool.chunks(), options, survey, undefined);
    await spool.finish();
    return await readList(spool.read(), options, survey.decide());
  } finally {
    await spool.remove();
  }
}

async function readList(input: RecipientInput, options: IngestOptions, list: ListCountry): Promise<IngestSummary> {
  const tally = new Tally({ ...options, validation: { ...options.validation, country: list.reading } });
  const template = parseCaptionTemplate(options.defaults.caption);
  if (template) tally.captionIsTemplate();
  const { columns, json } = await readRows(input, options, tally, template);
  if (json) {
    const unseen = template?.variables.filter((v) => !json.variablesSeen.has(v.key)) ?? [];
    if (unseen.length > 0 && tally.summary().total > 0) throw unknownVariables(unseen.map((v) => v.name));
  }

  const summary = { ...tally.summary(), columns, country: list.country, country_source: list.source };
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

/** Reads every row of the file into `rows`; an empty file is NO_VALID_ROWS. */
async function readRows(
  input: RecipientInput,
  options: IngestOptions,
  rows: Rows,
  template: CaptionTemplate | undefined,
): Promise<{ columns: ColumnsUsed | undefined; json: JsonRecipients | undefined }> {
  const choice = { phoneColumn: options.phoneColumn, nameColumn: options.nameColumn };
  const source = await openSource(input);
  try {
    if (source.empty) throw new IngestError('NO_VALID_ROWS', 'the file is empty', emptySummary());
    const format =
      source.kind === 'xlsx' ? 'xlsx' : options.format === 'auto' ? sniffFormat(source.head) : options.format;
    if (format === 'csv' || format === 'xlsx') {
      const table = new Table(rows, choice, template, format === 'xlsx');
      if (format === 'csv') await readCsv(source.head, source.chunks, table);
      else await readXlsx(source.chunks, table);
      return { columns: table.used, json: undefined };
    }
    const json = new JsonRecipients(rows, choice, template);
    if (format === 'json') await readJson(source.head, source.chunks, json);
    else await readNdjson(source.chunks, json);
    return { columns: json.used, json };
  } finally {
    await source.close();
  }
}

function emptySummary(): IngestSummary {
  return { total: 0, accepted: 0, rejected: 0, duplicates: 0, errors: [], preview: [], countries: {} };
}

function noValidRows(s: IngestSummary): string {
  if (s.total === 0) return 'the file has no recipients';
  return `no valid recipients: all ${s.total} rows are invalid`;
}
