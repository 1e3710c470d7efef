import { PassThrough, Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { REPORT_COLUMNS, type ReportRow } from '@sobot/schema';

export const REPORT_FORMATS = ['xlsx', 'csv', 'json', 'ndjson'] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** Cells a spreadsheet would run as a formula start with one of these; such a cell gets a leading `'` (OWASP). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * A phone number as people write it (`+91 99700 00001`, `-`): digits, spaces, `+ - ( ) .` only. No formula can come
 * from it; the rejected-rows file writes it as it is, so that the fixed file uploads again (a leading `'` would be
 * a row error).
 */
const NUMBER_AS_WRITTEN = /^[+-][\d\s().+-]*$/;

/** Starts a CSV file: Excel reads it as UTF-8 only after a BOM (Devanagari, Arabic, emoji names). */
export const CSV_BOM = '\uFEFF';

/**
 * One CSV cell, RFC 4180: quoted when it holds `"`, `,`, CR or LF (a `"` doubled). A cell a spreadsheet would
 * run as a formula gets a leading `'` (OWASP). Anything else is written as it is: numbers and wamids stay the
 * plain digits a program reads back (and an upload accepts).
 */
export function csvCell(value: string | number, numbersAsWritten = false): string {
  let s = String(value);
  if (FORMULA_START.test(s) && !(numbersAsWritten && NUMBER_AS_WRITTEN.test(s))) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** One CSV record, CRLF-terminated; a record of one empty cell is `""` (an empty line would be no record). */
export function csvLine(values: Array<string | number>): string {
  return record(values.map((v) => csvCell(v)));
}

/** Joins cells into a CSV record, CRLF-terminated. */
function record(cells: string[]): string {
  const line = cells.join(',');
  return `${line === '' && cells.length === 1 ? '""' : line}\r\n`;
}

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  json: 'application/json; charset=utf-8',
  ndjson: 'application/x-ndjson; charset=utf-8',
};

/** Streams the report in the chosen format with backpressure (a million-row report never sits in memory). */
export function formatReport(rows: AsyncIterable<ReportRow>, format: ReportFormat): Readable {
  return formatRows(rows, [...REPORT_COLUMNS], format);
}

/** Any rows with the given columns (the report, the rejected-rows file), streamed. */
export function formatRows<T extends object>(
  rows: AsyncIterable<T> | Iterable<T>,
  columns: Array<keyof T & string>,
  format: ReportFormat,
): Readable {
  if (format === 'xlsx')
    return xlsxRows(
      mapRows(rows, (row) => columns.map((c) => cellValue(row[c]))),
      columns,
    );
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield CSV_BOM + csvLine(columns);
    if (format === 'json') yield '[';
    let first = true;
    for await (const row of rows) {
      if (format === 'csv') yield csvLine(columns.map((c) => cellValue(row[c])));
      else if (format === 'ndjson') yield `${JSON.stringify(row)}\n`;
      else {
        yield `${first ? '' : ','}\n${JSON.stringify(row)}`;
        first = false;
      }
    }
    if (format === 'json') yield '\n]\n';
  }
  return Readable.from(lines());
}

/**
 * Rows of cells under a header of any names (the rejected-rows file: the upload's own columns, in order), as CSV
 * (number-like cells as written, see NUMBER_AS_WRITTEN) or an .xlsx workbook of text cells.
 */
export function formatTable(
  header: string[],
  rows: AsyncIterable<Array<string | number>> | Iterable<Array<string | number>>,
  format: 'csv' | 'xlsx',
): Readable {
  if (format === 'xlsx') return xlsxRows(rows, header);
  async function* lines(): AsyncGenerator<string> {
    yield CSV_BOM + record(header.map((h) => csvCell(h, true)));
    for await (const row of rows) yield record(row.map((v) => csvCell(v, true)));
  }
  return Readable.from(lines());
}

async function* mapRows<T, U>(rows: AsyncIterable<T> | Iterable<T>, map: (row: T) => U): AsyncGenerator<U> {
  for await (const row of rows) yield map(row);
}

function cellValue(v: unknown): string | number {
  return typeof v === 'number' ? v : typeof v === 'string' ? v : v == null ? '' : String(v);
}

/** Rows written between two checks of the zip's backlog. */
const XLSX_BATCH = 500;

/**
 * The rows as an .xlsx workbook (one sheet), streamed by exceljs's WorkbookWriter: every cell of a text column is a
 * text cell (numFmt `@`), so numbers and wamids stay their digits; numbers (attempts) stay numbers. The header row is
 * frozen and carries a filter over every row. No formula can come from a cell: a string cell is never evaluated.
 */
function xlsxRows(
  rows: AsyncIterable<Array<string | number>> | Iterable<Array<string | number>>,
  columns: string[],
): Readable {
  const out = new PassThrough();
  const book = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const sheet = book.addWorksheet('report', { views: [{ state: 'frozen', ySplit: 1 }] });
  /** Column widths and formats go before the first row; types come from the schema, so the first row tells them. */
  const start = (first: Array<string | number> | undefined) => {
    sheet.columns = columns.map((c, i) => ({
      key: String(i),
      width: Math.max(12, c.length + 2),
      ...(typeof first?.[i] === 'number' ? {} : { style: { numFmt: '@' } }),
    }));
    sheet.addRow(columns).commit();
  };
  (async () => {
    let written = 0;
    for await (const values of rows) {
      if (written === 0) start(values);
      sheet.addRow(values).commit();
      written += 1;
      if (written % XLSX_BATCH === 0) await zipCaughtUp(sheet, out);
      // The client went away: stop reading rows (the generator's cleanup runs).
      if (out.destroyed) return;
    }
    if (written === 0) start(undefined);
    sheet.autoFilter = { from: { row: 1, column: 1 }, to: { row: written + 1, column: columns.length } };
    sheet.commit();
    await book.commit();
  })().catch((err: unknown) => out.destroy(err instanceof Error ? err : new Error(String(err))));
  return out;
}

/**
 * Waits until the zip has taken in what the sheet wrote and the response has taken the zip's output. exceljs writes
 * sheet XML into the zip without backpressure, so without this a fast row source outruns deflate and the socket.
 * The sheet stream's pipe target is not public API: when it is missing, only the response is waited for.
 */
async function zipCaughtUp(sheet: object, out: PassThrough): Promise<void> {
  const zipIn = sheetPipeTarget(sheet);
  if (zipIn && needsDrain(zipIn)) await drained(zipIn);
  if (out.writableNeedDrain) await drained(out);
}

type Drainable = { on(e: string, f: () => void): unknown; off(e: string, f: () => void): unknown; destroyed?: boolean };

function sheetPipeTarget(sheet: object): Drainable | undefined {
  const stream: unknown = Reflect.get(sheet, 'stream');
  const pipes: unknown = typeof stream === 'object' && stream !== null ? Reflect.get(stream, 'pipes') : undefined;
  const first: unknown = Array.isArray(pipes) ? pipes[0] : undefined;
  return typeof first === 'object' && first !== null && 'on' in first && 'off' in first
    ? (first as Drainable)
    : undefined;
}

/** `writableNeedDrain`, or the older readable-stream's state flag (archiver's streams come from that package). */
function needsDrain(s: Drainable): boolean {
  const flag: unknown = Reflect.get(s, 'writableNeedDrain');
  if (typeof flag === 'boolean') return flag;
  const state: unknown = Reflect.get(s, '_writableState');
  return typeof state === 'object' && state !== null && Reflect.get(state, 'needDrain') === true;
}

/** Resolves on `drain`, or when the stream is gone (a client that went away must not leave the writer waiting). */
function drained(stream: Drainable): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      stream.off('drain', done);
      stream.off('close', done);
      stream.off('error', done);
      resolve();
    };
    if (stream.destroyed) return resolve();
    stream.on('drain', done);
    stream.on('close', done);
    stream.on('error', done);
  });
}
