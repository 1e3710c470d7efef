import { createWriteStream } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { unparseable, workbookTooLarge } from './errors';
import { DEFAULT_WORKBOOK_LIMITS, MAX_CELL_CHARS, type WorkbookLimits } from './limits';
import { MAX_FORMAT_CODE, NumberFormats } from './number-format';
import type { Table } from './table';
import { withUploadTempDir } from './temp-files';
import { WorkbookParts } from './xlsx-parts';

export interface XlsxOptions {
  limits?: Partial<WorkbookLimits>;
  /** Where the upload is spooled (a `sobot-upload-*` directory is made there); default the system's. */
  tempDir?: string;
}

/** Excel's last column, XFD. */
const MAX_COLUMNS = 16_384;
/** Excel's most cell formats; a workbook listing more is not one Excel made (the rest read as General). */
const MAX_CELL_FORMATS = 65_536;
/** Most custom number formats kept (Excel allows about 250). */
const MAX_CUSTOM_FORMATS = 10_000;

/**
 * Reads the first worksheet of an .xlsx workbook (SPEC §11, §20, §22). The upload is spooled to a temporary file
 * (removed when the read ends, however it ends), then its parts are read through the zip's central directory:
 * workbook, relations, number formats, shared strings, then the sheet, each streamed and counted against `limits`
 * as it inflates. Rows are handed to the table as the sheet inflates; each keeps its sheet row number as its line;
 * rows with no value are skipped like blank CSV lines. Cells read as the sheet shows them (dates, currency,
 * percentages by their number format); numbers of the phone column keep every digit stored.
 */
export async function readXlsx(chunks: AsyncIterable<Buffer>, table: Table, options: XlsxOptions = {}): Promise<void> {
  const limits = { ...DEFAULT_WORKBOOK_LIMITS, ...options.limits };
  await withUploadTempDir(async (dir) => {
    const path = join(dir, 'workbook.xlsx');
    await pipeline(Readable.from(chunks), createWriteStream(path));
    const parts = await WorkbookParts.open(path, limits);
    try {
      await readWorkbook(parts, table, limits);
    } finally {
      parts.close();
    }
  }, options.tempDir);
}

async function readWorkbook(parts: WorkbookParts, table: Table, limits: WorkbookLimits): Promise<void> {
  const book = await readBook(parts);
  if (!book.sheet) throw unparseable('this .xlsx workbook has no worksheet');
  const formats = new NumberFormats(book.date1904);
  const cellFormats = await readStyles(parts, book.styles, formats);
  const strings = await readSharedStrings(parts, book.sharedStrings, limits.sharedStringsBytes);
  await readSheet(parts, book.sheet, {
    table,
    strings,
    display: (value, style) => formats.display(value, cellFormats[style] ?? 0),
  });
}

interface Book {
  date1904: boolean;
  /** Part names. */
  sheet: string | undefined;
  sharedStrings: string;
  styles: string;
}

/** The first sheet (by the workbook's order, else the lowest-numbered sheet part) and where the other parts are. */
async function readBook(parts: WorkbookParts): Promise<Book> {
  let date1904 = false;
  let firstSheetRel: string | undefined;
  await parts.read(
    'xl/workbook.xml',
    {
      open(name, attrs) {
        if (name === 'workbookPr') date1904 = attrs.date1904 === '1' || attrs.date1904 === 'true';
        else if (name === 'sheet' && firstSheetRel === undefined) firstSheetRel = attribute(attrs, 'id') ?? '';
      },
    },
    { what: 'workbook part' },
  );
  const targets = new Map<string, string>();
  const byType = new Map<string, string>();
  await parts.read(
    'xl/_rels/workbook.xml.rels',
    {
      open(name, attrs) {
        if (name !== 'Relationship' || !attrs.Target || targets.size >= 100_000) return;
        const target = partName(attrs.Target);
        if (attrs.Id) targets.set(attrs.Id, target);
        const type = (attrs.Type ?? '').split('/').pop() ?? '';
        if (!byType.has(type)) byType.set(type, target);
      },
    },
    { what: 'workbook relations' },
  );
  let sheet = firstSheetRel ? targets.get(firstSheetRel) : undefined;
  if (!sheet || !parts.has(sheet)) sheet = lowestSheet(parts.names());
  return {
    date1904,
    sheet,
    sharedStrings: byType.get('sharedStrings') ?? 'xl/sharedStrings.xml',
    styles: byType.get('styles') ?? 'xl/styles.xml',
  };
}

/** A relationship target as a part name: relative to `xl/`, or absolute from the package root. */
function partName(target: string): string {
  if (target.startsWith('/')) return target.slice(1);
  const path: string[] = ['xl'];
  for (const piece of target.split('/')) {
    if (piece === '..') path.pop();
    else if (piece !== '.' && piece !== '') path.push(piece);
  }
  return path.join('/');
}

function lowestSheet(names: string[]): string | undefined {
  let best: { name: string; n: number } | undefined;
  for (const name of names) {
    const m = /^xl\/worksheets\/sheet(\d+)\.xml$/.exec(name);
    if (m && (!best || Number(m[1]) < best.n)) best = { name, n: Number(m[1]) };
  }
  return best?.name;
}

/** An attribute by its local name (`r:id` is `id`). */
function attribute(attrs: Record<string, string>, local: string): string | undefined {
  for (const [key, value] of Object.entries(attrs)) {
    const colon = key.indexOf(':');
    if ((colon < 0 ? key : key.slice(colon + 1)) === local) return value;
  }
  return undefined;
}

/** The number format id of each cell format (`s` of a cell), custom codes defined into `formats`. */
async function readStyles(parts: WorkbookParts, name: string, formats: NumberFormats): Promise<number[]> {
  const cellFormats: number[] = [];
  let inCellXfs = false;
  let custom = 0;
  await parts.read(
    name,
    {
      open(tag, attrs) {
        if (tag === 'numFmt' && custom < MAX_CUSTOM_FORMATS) {
          const code = attrs.formatCode;
          if (code !== undefined && code.length <= MAX_FORMAT_CODE) {
            formats.define(Number(attrs.numFmtId), code);
            custom++;
          }
        } else if (tag === 'cellXfs') inCellXfs = true;
        else if (tag === 'xf' && inCellXfs && cellFormats.length < MAX_CELL_FORMATS)
          cellFormats.push(Number(attrs.numFmtId ?? 0) || 0);
      },
      close(tag) {
        if (tag === 'cellXfs') inCellXfs = false;
      },
    },
    { what: 'styles part' },
  );
  return cellFormats;
}

/**
 * The shared-string table. It is held while the sheet is read, so it is bounded twice by `maxBytes`: its part as it
 * inflates (its UTF-8 is at least what its text takes in memory, one or two bytes a character), and what the strings
 * kept cost (characters + 24 bytes each: many empty strings cost too).
 */
async function readSharedStrings(parts: WorkbookParts, name: string, maxBytes: number): Promise<string[]> {
  const strings: string[] = [];
  let kept = 0;
  let text = '';
  let inT = false;
  let phonetic = 0;
  const tooLarge = () =>
    workbookTooLarge(
      `the workbook's shared strings hold more than ${Math.round(maxBytes / 2 ** 20)} MiB ` +
        '(MAX_XLSX_SHARED_STRINGS): save the list as CSV UTF-8, or split it',
    );
  await parts.read(
    name,
    {
      open(tag) {
        if (tag === 't') inT = true;
        else if (tag === 'rPh') phonetic++;
        else if (tag === 'si') text = '';
      },
      close(tag) {
        if (tag === 't') inT = false;
        else if (tag === 'rPh') phonetic--;
        else if (tag === 'si') {
          kept += text.length + 24;
          if (kept > maxBytes) throw tooLarge();
          strings.push(text);
          text = '';
        }
      },
      text(t) {
        if (!inT || phonetic > 0) return;
        text += t;
        if (text.length > MAX_CELL_CHARS) throw cellTooLarge('a shared string');
      },
    },
    { maxBytes, what: 'shared strings' },
  );
  return strings;
}

interface SheetContext {
  table: Table;
  strings: string[];
  display(value: number, style: number): string;
}

/** The sheet's rows, each handed to the table once its chunk of XML is parsed (awaited: the sink's pace). */
async function readSheet(parts: WorkbookParts, name: string, ctx: SheetContext): Promise<void> {
  // Rows parsed from the last chunk; `stored` has the digits of each number cell, for the phone column.
  const ready: Array<{ record: string[]; line: number; stored: Map<number, string> | undefined }> = [];
  let line = 0;
  let record: string[] = [];
  let stored: Map<number, string> | undefined;
  let rowChars = 0;
  let column = -1;
  let cell: Cell | undefined;
  let inValue = false;
  let inInline = false;
  let inT = false;
  let phonetic = 0;
  await parts.read(
    name,
    {
      open(tag, attrs) {
        if (tag === 'row') {
          const r = Number(attrs.r);
          line = Number.isInteger(r) && r > 0 ? r : line + 1;
          record = [];
          stored = undefined;
          rowChars = 0;
          column = -1;
        } else if (tag === 'c') {
          column = attrs.r ? columnOf(attrs.r, line) : column + 1;
          if (column >= MAX_COLUMNS) throw unparseable(`line ${line}: a cell past column XFD, Excel's last`, { line });
          cell = { type: attrs.t ?? 'n', style: Number(attrs.s ?? 0) || 0, value: '' };
        } else if (tag === 'v') inValue = true;
        else if (tag === 'is') inInline = true;
        else if (tag === 't') inT = true;
        else if (tag === 'rPh') phonetic++;
      },
      text(t) {
        if (!cell) return;
        if (inValue || (inInline && inT && phonetic === 0)) {
          cell.value += t;
          if (cell.value.length > MAX_CELL_CHARS) throw cellTooLarge(`line ${line}: a cell`, line);
        }
      },
      close(tag) {
        if (tag === 'v') inValue = false;
        else if (tag === 'is') inInline = false;
        else if (tag === 't') inT = false;
        else if (tag === 'rPh') phonetic--;
        else if (tag === 'c' && cell) {
          const text = cellText(cell, ctx);
          if (text !== '' && isNumberCell(cell)) (stored ??= new Map()).set(column, String(Number(cell.value)));
          cell = undefined;
          if (text === '') return;
          rowChars += text.length;
          if (rowChars > MAX_CELL_CHARS) throw cellTooLarge(`line ${line}: the row`, line);
          while (record.length < column) record.push('');
          record[column] = text;
        } else if (tag === 'row') {
          if (record.length > 0) ready.push({ record, line, stored });
          record = [];
          stored = undefined;
        }
      },
    },
    {
      what: 'sheet',
      afterChunk: async () => {
        for (const { record, line, stored } of ready) {
          // The header is known once its row was handed on: the phone column's numbers keep their stored digits.
          const phone = ctx.table.numberColumn;
          const digits = stored?.get(phone);
          if (digits !== undefined) record[phone] = digits;
          const pending = ctx.table.add(record, line);
          if (pending) await pending;
        }
        ready.length = 0;
      },
    },
  );
}

/** `B12` → 1. */
function columnOf(ref: string, line: number): number {
  let n = 0;
  let i = 0;
  for (; i < ref.length; i++) {
    const c = ref.charCodeAt(i) | 0x20;
    if (c < 0x61 || c > 0x7a) break;
    n = n * 26 + (c - 0x60);
    if (n > MAX_COLUMNS) break;
  }
  if (i === 0)
    throw unparseable(`line ${line}: a cell reference "${ref.slice(0, 20)}" is not a column and row`, { line });
  return n - 1;
}

interface Cell {
  type: string;
  style: number;
  value: string;
}

function isNumberCell(cell: Cell): boolean {
  return cell.type === 'n' && cell.value.trim() !== '' && Number.isFinite(Number(cell.value));
}

/**
 * A cell as the sheet shows it. (Numbers of the phone column keep every digit Excel stored instead, whatever their
 * format: `919970000022`, and `919970000702.5` stays a decimal, to be refused by the number rules.)
 */
function cellText(cell: Cell, ctx: SheetContext): string {
  const v = cell.value;
  switch (cell.type) {
    case 's': {
      const i = Number(v);
      return Number.isInteger(i) ? unescapeXstring(ctx.strings[i] ?? '').trim() : '';
    }
    case 'inlineStr':
    case 'str':
      return unescapeXstring(v).trim();
    case 'b':
      return v === '1' || v === 'true' ? 'TRUE' : v === '' ? '' : 'FALSE';
    case 'e':
    case 'd':
      return v.trim();
    default: {
      if (v.trim() === '') return '';
      const n = Number(v);
      if (!Number.isFinite(n)) return '';
      return ctx.display(n, cell.style);
    }
  }
}

function cellTooLarge(what: string, line?: number): Error {
  return workbookTooLarge(
    `${what} holds more than ${MAX_CELL_CHARS / 2 ** 20} MiB of text: a recipient list has short cells`,
    line === undefined ? undefined : { line },
  );
}

/**
 * OOXML writes characters XML cannot hold (control characters, NUL among them) as `_xHHHH_`, and a literal `_x` as
 * `_x005F_x`; Excel reads them back as the characters, and so does this (a NUL then makes the row an error).
 */
function unescapeXstring(text: string): string {
  if (!text.includes('_x')) return text;
  return text.replace(/_x([0-9A-Fa-f]{4})_/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}
