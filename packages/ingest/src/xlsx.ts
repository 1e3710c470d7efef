import { Readable } from 'node:stream';
import ExcelJS from 'exceljs';
import { unparseable } from './errors';
import type { Table } from './table';

const SAVE_AS = 'save it again from Excel, or as CSV UTF-8';

/**
 * Reads the first worksheet of an .xlsx workbook, streamed (exceljs's streaming reader: rows are parsed as the zip
 * entry inflates and dropped once handed on; only the shared strings table is held). Each row keeps its sheet
 * row number as its line; rows with no value are skipped like blank CSV lines.
 */
export async function readXlsx(chunks: AsyncIterable<Buffer>, table: Table): Promise<void> {
  const input = Readable.from(chunks);
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    hyperlinks: 'ignore',
    styles: 'ignore',
    entries: 'ignore',
  });
  let sheets = 0;
  // Errors of the table or the sink pass through as they are; the reader's own mean a broken workbook.
  let passOn: unknown;
  try {
    for await (const sheet of reader) {
      if (sheets++ > 0) continue;
      for await (const row of sheet) {
        const values = row.values;
        if (!Array.isArray(values)) continue;
        // exceljs rows are 1-based sparse arrays.
        const record: string[] = [];
        let filled = false;
        for (let i = 1; i < values.length; i++) {
          const text = cellText(values[i]);
          if (text !== '') filled = true;
          record.push(text);
        }
        if (!filled) continue;
        try {
          const pending = table.add(record, row.number);
          if (pending) await pending;
        } catch (err) {
          passOn = err;
          throw err;
        }
      }
    }
  } catch (err) {
    if (err === passOn) throw err;
    const reason = err instanceof Error ? err.message : String(err);
    throw unparseable(`not a readable .xlsx workbook (${reason.slice(0, 200)}): ${SAVE_AS}`);
  } finally {
    input.destroy();
  }
  if (sheets === 0) throw unparseable('this .xlsx workbook has no worksheet');
}

/**
 * A cell as the text a CSV export would hold. Numbers keep every digit Excel stored (`919970000022`, and
 * `919970000702.5` stays a decimal, to be refused by the number rules); formulas give their result.
 */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return unescapeXstring(value).trim();
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (Array.isArray(v.richText))
      return v.richText
        .map((r: { text?: unknown }) => unescapeXstring(String(r.text ?? '')))
        .join('')
        .trim();
    if ('result' in v) return cellText(v.result);
    if ('text' in v) return cellText(v.text);
    if ('error' in v) return String(v.error);
  }
  return '';
}

/**
 * OOXML writes characters XML cannot hold (control characters, NUL among them) as `_xHHHH_`, and a literal `_x` as
 * `_x005F_x`; Excel reads them back as the characters, and so does this (a NUL then makes the row an error).
 */
function unescapeXstring(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
