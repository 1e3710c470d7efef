import type { Readable } from 'node:stream';
import type { RowError } from '@sobot/schema';
import { formatRows, formatTable, type ReportFormat } from './report-format';

/** The rejected rows of an upload as stored: the file's header (CSV, .xlsx) and each row's cells on its first error. */
export interface RejectedFile {
  header?: string[];
  rows: Array<RowError & { cells?: string[] }>;
}

/** The columns the rejected-rows file adds after the upload's own. */
export const REJECTED_COLUMNS = ['line', 'field', 'message'] as const;

/**
 * `GET /v1/campaigns/:id/rejected`. For a CSV or .xlsx upload, as CSV or .xlsx: the upload's own columns in order
 * with each rejected row's original cells, then `line,field,message` (a row with several bad fields is one record,
 * its fields and messages joined by `; `), so the file can be fixed in a spreadsheet and uploaded as it is (the
 * three added columns are no recipient field, and are ignored). JSON and NDJSON, and any format of a JSON upload:
 * one record per error, `row,line,field,message`. Rows past the bound of kept cells (REJECTED_CELLS_MAX_CHARS) have
 * empty cells.
 */
export function formatRejected(file: RejectedFile, format: ReportFormat): Readable {
  const { header } = file;
  if (!header || format === 'json' || format === 'ndjson') {
    const rows = file.rows.map(({ row, line, field, message }) => ({ row, line, field, message }));
    return formatRows(rows, ['row', 'line', 'field', 'message'], format);
  }
  return formatTable([...header, ...REJECTED_COLUMNS], byRow(file.rows, header.length), format);
}

/** One record per rejected row: its cells (padded to the header's width), line, fields and messages. */
function* byRow(rows: RejectedFile['rows'], width: number): Generator<Array<string | number>> {
  let i = 0;
  while (i < rows.length) {
    const first = rows[i]!;
    const fields: string[] = [];
    const messages: string[] = [];
    let cells = first.cells;
    for (; i < rows.length && rows[i]!.row === first.row; i += 1) {
      fields.push(rows[i]!.field);
      messages.push(rows[i]!.message);
      cells ??= rows[i]!.cells;
    }
    const own = Array.from({ length: width }, (_, c) => cells?.[c] ?? '');
    yield [...own, first.line ?? '', fields.join('; '), messages.join('; ')];
  }
}
