import {
  INVALID_UTF8_MARK,
  clipList,
  renderCaption,
  textProblem,
  type CaptionTemplate,
  type ColumnsUsed,
  type RawRecipient,
} from '@sobot/schema';
import {
  HEADER_SEARCH_LINES,
  columnsUsed,
  hasPhoneColumn,
  mapHeader,
  noPhoneColumn,
  type ColumnChoice,
  type ColumnMap,
} from './columns';
import { unparseable } from './errors';
import { isReportHeader, reportNumber } from './report-file';
import type { Rows } from './tally';

/**
 * Rows of a sheet (CSV or .xlsx): a header, then each record a recipient with the line a spreadsheet shows for it.
 * The header is the record at `headerRow` (a 1-based line) when given, else the first of the first
 * HEADER_SEARCH_LINES lines that has a phone column; records above it are titles, not data (never counted).
 */
export class Table {
  private columns: ColumnMap | undefined;
  private header: string[] = [];
  private row = 0;
  /** The file is a report of this product: its numbers are international (report-file.ts). */
  private report = false;
  /** The line the header was read from. */
  private headerLine: number | undefined;
  /** The first record and its line, while no header is found: the error names its cells when none is. */
  private first: { record: string[]; line: number } | undefined;

  constructor(
    private readonly tally: Rows,
    private readonly choice: ColumnChoice,
    private readonly template: CaptionTemplate | undefined,
    /** CSV: every record has the header's width. A sheet's rows end at their last non-empty cell. */
    private readonly ragged: boolean,
    /** The line holding the header (1-based); default: searched for. */
    private readonly headerRow?: number,
  ) {}

  /** The header's cells as the file has them (a BOM removed). */
  get headerCells(): string[] | undefined {
    return this.columns && this.header.map((h, i) => (i === 0 ? h.replace(/^\uFEFF/, '') : h));
  }

  get used(): ColumnsUsed | undefined {
    return this.columns && columnsUsed(this.columns);
  }

  /** The phone column's index once the header is read, else -1 (a workbook keeps its numbers' digits). */
  get numberColumn(): number {
    return this.columns?.customer_number ?? -1;
  }

  /** The line (1-based, as a spreadsheet shows it) the header was read from. */
  get headerRowUsed(): number | undefined {
    return this.headerLine;
  }

  /** The file ended (or the search did) without a header: refused, naming what its first line has. */
  end(): void {
    if (this.columns) return;
    if (this.headerRow !== undefined)
      throw noPhoneColumn(`header_row=${this.headerRow}, but the file ends before line ${this.headerRow}`);
    const first = this.first;
    if (!first) return;
    // phone_column names no header of the file: UNKNOWN_COLUMN, as before any search.
    if (this.choice.phoneColumn !== undefined) mapHeader(first.record, this.choice, this.template);
    const cells = clipList(first.record.map((h) => JSON.stringify(h.replace(/^\uFEFF/, '').trim())));
    throw noPhoneColumn(
      `none in the first ${HEADER_SEARCH_LINES} lines; line ${first.line} has ${cells}; ` +
        'when the header is further down, say which line with header_row=<line>',
    );
  }

  private takeHeader(record: string[], line: number): void {
    this.columns = mapHeader(record, this.choice, this.template);
    this.header = record;
    this.report = isReportHeader(record);
    this.headerLine = line;
    this.first = undefined;
  }

  /** Before the header: a title line is passed over, the header taken; past the search the file is refused. */
  private beforeHeader(record: string[], line: number): void {
    if (record.some((cell) => cell.includes(INVALID_UTF8_MARK)))
      throw unparseable('the header is not UTF-8 text: save the file as CSV UTF-8 (Excel: File › Save As)');
    if (this.headerRow !== undefined) {
      if (line >= this.headerRow) this.takeHeader(record, line);
      return;
    }
    this.first ??= { record, line };
    if (line > HEADER_SEARCH_LINES) return this.end();
    if (hasPhoneColumn(record, this.choice)) this.takeHeader(record, line);
  }

  add(record: string[], line: number): void | Promise<void> {
    const c = this.columns;
    if (!c) return this.beforeHeader(record, line);
    const row = ++this.row;
    if (record.length !== c.width && !this.ragged) {
      throw unparseable(`row ${row} (line ${line}): has ${record.length} fields but the header has ${c.width}`, {
        row,
        line,
      });
    }
    const raw: RawRecipient = {
      customer_number: this.report ? reportNumber(record[c.customer_number]) : record[c.customer_number],
      customer_name: c.customer_name < 0 ? undefined : record[c.customer_name],
      url: c.url < 0 ? undefined : record[c.url],
      mime_type: c.mime_type < 0 ? undefined : record[c.mime_type],
      caption: c.caption < 0 ? undefined : record[c.caption],
      timezone: c.timezone < 0 ? undefined : record[c.timezone],
    };
    const t = this.template;
    if (t && !(raw.caption && raw.caption.trim())) {
      // A column the caption takes text from is checked like the fields themselves, and named.
      for (const column of c.variables) {
        const problem = column >= 0 ? textProblem(record[column] ?? '') : undefined;
        if (problem)
          return this.tally.reject(row, line, [{ field: this.header[column] ?? 'caption', message: problem }], record);
      }
      let empty: string[] | undefined;
      raw.caption = renderCaption(
        t,
        (v) => record[c.variables[t.variables.indexOf(v)]!],
        (v) => (empty ??= []).push(v.name),
      );
      return this.tally.add(raw, row, line, empty, record);
    }
    return this.tally.add(raw, row, line, undefined, record);
  }
}
