import {
  INVALID_UTF8_MARK,
  renderCaption,
  textProblem,
  type CaptionTemplate,
  type ColumnsUsed,
  type RawRecipient,
} from '@sobot/schema';
import { columnsUsed, mapHeader, type ColumnChoice, type ColumnMap } from './columns';
import { unparseable } from './errors';
import { isReportHeader, reportNumber } from './report-file';
import type { Rows } from './tally';

/**
 * Rows of a sheet (CSV or .xlsx): the first record is the header, each later one a recipient with the line a
 * spreadsheet shows for it.
 */
export class Table {
  private columns: ColumnMap | undefined;
  private header: string[] = [];
  private row = 0;
  /** The file is a report of this product: its numbers are international (report-file.ts). */
  private report = false;

  constructor(
    private readonly tally: Rows,
    private readonly choice: ColumnChoice,
    private readonly template: CaptionTemplate | undefined,
    /** CSV: every record has the header's width. A sheet's rows end at their last non-empty cell. */
    private readonly ragged: boolean,
  ) {}

  get used(): ColumnsUsed | undefined {
    return this.columns && columnsUsed(this.columns);
  }

  /** The phone column's index once the header is read, else -1 (a workbook keeps its numbers' digits). */
  get numberColumn(): number {
    return this.columns?.customer_number ?? -1;
  }

  add(record: string[], line: number): void | Promise<void> {
    const c = this.columns;
    if (!c) {
      if (record.some((cell) => cell.includes(INVALID_UTF8_MARK)))
        throw unparseable('the header is not UTF-8 text: save the file as CSV UTF-8 (Excel: File › Save As)');
      this.columns = mapHeader(record, this.choice, this.template);
      this.header = record;
      this.report = isReportHeader(record);
      return;
    }
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
          return this.tally.reject(row, line, [{ field: this.header[column] ?? 'caption', message: problem }]);
      }
      let empty: string[] | undefined;
      raw.caption = renderCaption(
        t,
        (v) => record[c.variables[t.variables.indexOf(v)]!],
        (v) => (empty ??= []).push(v.name),
      );
      return this.tally.add(raw, row, line, empty);
    }
    return this.tally.add(raw, row, line);
  }
}
