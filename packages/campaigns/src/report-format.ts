import { Readable } from 'node:stream';
import { REPORT_COLUMNS, type ReportRow } from '@sobot/schema';

export type ReportFormat = 'csv' | 'json' | 'ndjson';

/** Cells a spreadsheet would run as a formula start with one of these; such a cell gets a leading `'`. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One CSV cell, safe against formula injection (OWASP) and quoted when needed (RFC 4180). */
export function csvCell(value: string | number): string {
  let s = String(value);
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
    if (format === 'csv') yield csvLine(columns);
    if (format === 'json') yield '[';
    let first = true;
    for await (const row of rows) {
      if (format === 'csv') yield csvLine(columns.map((c) => row[c] as string | number));
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
