import {
  parseCaptionTemplate,
  validateDefaults,
  type CaptionTemplate,
  type ColumnsUsed,
  type CountryReading,
  type FieldError,
  type RawRecipient,
} from '@sobot/schema';
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
import { readXlsx, type XlsxOptions } from './xlsx';

export interface IngestOptions extends TallyOptions {
  /** 'auto' looks at the first bytes: see sniffFormat. An .xlsx workbook is read as one whatever this says. */
  format: RecipientFormat | 'auto';
  /** An .xlsx workbook's limits (default DEFAULT_WORKBOOK_LIMITS) and where it is spooled. */
  workbook?: XlsxOptions;
  /**
   * The list's country (ISO 3166 alpha-2, the upload's `country`): bare numbers are read in it. Else
   * `validation.defaultCountryCode`; else it is inferred from the file when `inferCountry` is given (SPEC §20).
   */
  country?: string;
  /**
   * Infer the list's country when none is given. The country is guessed from the first GUESS_ROWS rows and the
   * file read once in it, while it is copied to disk; when the whole file decides otherwise, `restart` is called
   * (the caller drops everything its sink got) and the copy is read again in the country decided.
   * Without this option, bare numbers are read as international (`country_source: none`).
   */
  inferCountry?: { restart(): void | Promise<void> };
  /**
   * CSV and .xlsx: the line holding the header (1-based, as a spreadsheet shows it); lines above it are titles.
   * Default: the first of the first HEADER_SEARCH_LINES lines that has a phone column.
   */
  headerRow?: number;
}

/** Rows held (in memory) before the list's country is guessed from them. */
export const GUESS_ROWS = 1_000;

/**
 * Streams a recipient file (CSV, JSON, NDJSON, UTF-8 or UTF-16, or the first sheet of an .xlsx) through validation
 * and de-duplication, handing every new valid recipient to `sink` in file order and awaiting the sink when it
 * returns a promise. Memory does not grow with the file beyond one NumberSet of the numbers seen (and an .xlsx
 * workbook's shared strings).
 *
 * With no country given and `inferCountry`, the file is also copied to a temporary file as it is read (deleted on
 * every path), for a second reading when the country guessed from its start is not the one the whole file gives.
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
    const template = parseCaptionTemplate(options.defaults.caption);
    const survey = new CountrySurvey();
    const guessing = new Guess(survey, (list) => newTally(options, list, template));
    const read = await readRows(spool.chunks(), options, guessing, template);
    const guessed = await guessing.decide();
    await spool.finish();
    const decided = survey.decide();
    if (sameReading(decided.reading, guessed.list.reading))
      return finish(guessed.tally, read, options, decided, template);
    await options.inferCountry.restart();
    return await readList(spool.read(), options, decided);
  } finally {
    await spool.remove();
  }
}

/**
 * Rows to a survey of the file's countries and, once GUESS_ROWS rows (or the whole file) have been held, to a
 * Tally reading numbers in the country those rows give.
 */
class Guess implements Rows {
  private held: Array<
    | { raw: RawRecipient; row: number; line: number; empty?: readonly string[]; cells?: readonly string[] }
    | { row: number; line: number; errors: FieldError[]; cells?: readonly string[] }
  > = [];
  private guessed: { list: ListCountry; tally: Tally } | undefined;

  constructor(
    private readonly survey: CountrySurvey,
    private readonly newTally: (list: ListCountry) => Tally,
  ) {}

  add(
    raw: RawRecipient,
    row: number,
    line: number,
    empty?: readonly string[],
    cells?: readonly string[],
  ): void | Promise<void> {
    this.survey.add(raw);
    if (this.guessed) return this.guessed.tally.add(raw, row, line, empty, cells);
    this.held.push({ raw, row, line, empty, cells });
    if (this.held.length >= GUESS_ROWS) return this.decide().then(() => undefined);
  }

  reject(row: number, line: number, errors: FieldError[], cells?: readonly string[]): void {
    if (this.guessed) return this.guessed.tally.reject(row, line, errors, cells);
    this.held.push({ row, line, errors, cells });
  }

  /** The guess (made now if the file had fewer than GUESS_ROWS rows), the rows held handed to its tally. */
  async decide(): Promise<{ list: ListCountry; tally: Tally }> {
    if (this.guessed) return this.guessed;
    const list = this.survey.decide();
    const guessed = { list, tally: this.newTally(list) };
    const held = this.held;
    this.held = [];
    for (const h of held) {
      if ('raw' in h) {
        const pending = guessed.tally.add(h.raw, h.row, h.line, h.empty, h.cells);
        if (pending) await pending;
      } else guessed.tally.reject(h.row, h.line, h.errors, h.cells);
    }
    this.guessed = guessed;
    return guessed;
  }
}

function sameReading(a: CountryReading, b: CountryReading): boolean {
  return (
    a.code === b.code &&
    Boolean(a.inferred) === Boolean(b.inferred) &&
    (a.ambiguousWith ?? []).join() === (b.ambiguousWith ?? []).join()
  );
}

function newTally(options: IngestOptions, list: ListCountry, template: CaptionTemplate | undefined): Tally {
  const tally = new Tally({ ...options, validation: { ...options.validation, country: list.reading } });
  if (template) tally.captionIsTemplate();
  return tally;
}

async function readList(input: RecipientInput, options: IngestOptions, list: ListCountry): Promise<IngestSummary> {
  const template = parseCaptionTemplate(options.defaults.caption);
  const tally = newTally(options, list, template);
  return finish(tally, await readRows(input, options, tally, template), options, list, template);
}

/** The summary of a file read to its end, or why it is refused as a whole. */
function finish(
  tally: Tally,
  { columns, headerRow, header, json }: Read,
  options: IngestOptions,
  list: ListCountry,
  template: CaptionTemplate | undefined,
): IngestSummary {
  if (json) {
    const unseen = template?.variables.filter((v) => !json.variablesSeen.has(v.key)) ?? [];
    if (unseen.length > 0 && tally.summary().total > 0) throw unknownVariables(unseen.map((v) => v.name));
  }

  const summary = {
    ...tally.summary(),
    columns,
    ...(headerRow === undefined ? {} : { header_row: headerRow }),
    ...(header === undefined ? {} : { header }),
    country: list.country,
    country_source: list.source,
  };
  if (options.strict && summary.rejected > 0) {
    throw new IngestError(
      'STRICT_REJECTED',
      `strict: ${summary.rejected} of ${summary.total} rows are invalid`,
      publicSummary(summary),
    );
  }
  if (summary.accepted === 0) {
    // JSON has no header: a file none of whose objects has a phone key is told so instead of "no valid rows".
    if (json && summary.total > 0 && !json.sawPhoneKey) throw noPhoneColumn('no object has such a key');
    throw new IngestError('NO_VALID_ROWS', noValidRows(summary), publicSummary(summary));
  }
  return summary;
}

/** A summary as an error's details show it: without the rows' cells and the header kept for the download. */
function publicSummary({ header: _, rejected_cells: __, ...rest }: IngestSummary): IngestSummary {
  return rest;
}

/** What reading a file tells besides its rows. */
interface Read {
  columns: ColumnsUsed | undefined;
  /** CSV and .xlsx: the line of the header, and its cells. */
  headerRow?: number;
  header?: string[];
  json: JsonRecipients | undefined;
}

/** Reads every row of the file into `rows`; an empty file is NO_VALID_ROWS. */
async function readRows(
  input: RecipientInput,
  options: IngestOptions,
  rows: Rows,
  template: CaptionTemplate | undefined,
): Promise<Read> {
  const choice = { phoneColumn: options.phoneColumn, nameColumn: options.nameColumn };
  const source = await openSource(input);
  try {
    if (source.empty) throw new IngestError('NO_VALID_ROWS', 'the file is empty', emptySummary());
    const format =
      source.kind === 'xlsx' ? 'xlsx' : options.format === 'auto' ? sniffFormat(source.head) : options.format;
    if (format === 'csv' || format === 'xlsx') {
      const table = new Table(rows, choice, template, format === 'xlsx', options.headerRow);
      if (format === 'csv') await readCsv(source.head, source.chunks, table);
      else await readXlsx(source.chunks, table, options.workbook);
      table.end();
      return { columns: table.used, headerRow: table.headerRowUsed, header: table.headerCells, json: undefined };
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
