import { Readable } from 'node:stream';
import { REPORT_COLUMNS, type ReportRow } from '@sobot/schema';

export type ReportFormat = 'csv' | 'json' | 'ndjson';

/** Cells a spreadsheet would run as a formula start with one of these; such a cell gets a leading `'`. */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Text Excel would read as a number and change: 10+ digits (shown as 9.19970E+11, digits past 15 lost), a
 * leading zero (dropped), digits with an exponent.
 */
const EXCEL_NUMBER = /^(?:\d{10,}|0\d+|\d+[eE]\d+)$/;

/** Starts a CSV file: Excel reads it as UTF-8 only after a BOM (Devanagari, Arabic, emoji names). */
export const CSV_BOM = '\uFEFF';

/**
 * One CSV cell, safe against formula injection (OWASP) and quoted when needed (RFC 4180). Phone numbers and
 * numeric ids are written `="919970000022"`, the one form Excel opens as text: the digits stay as they are.
 */
export function csvCell(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && EXCEL_NUMBER.test(s)) return `"=""${s}"""`;
  if (FORMULA_START.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

export function csvLine(values: Array<string | number>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

export const REPORT_CONTENT_TYPES: Record<ReportFormat, string> = {
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
  async function* lines(): AsyncGenerator<string> {
    if (format === 'csv') yield CSV_BOM + csvLine(columns);
    if (format === 'json') yield '[';
    let first = true;
    for await (const row of rows) {
      if (format === 'csv') yield csvLine(columns.map((c) => (row[c] ?? '') as string | number));
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
