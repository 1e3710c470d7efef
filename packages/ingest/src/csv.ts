import { CsvError, Parser } from 'csv-parse';
import { detectDelimiter } from './detect-format';
import { IngestError, unparseable } from './errors';
import { LineCounter } from './line-counter';
import { MAX_RECORD_BYTES } from './limits';
import type { Table } from './table';

/**
 * Remembers where each record ends (`info.bytes` at the moment it is pushed): records are read after a whole
 * chunk is parsed, when `info` has moved on. The `info: true` option gives the same per record, at three times
 * the parse cost.
 */
class EndTrackingParser extends Parser {
  readonly ends: number[] = [];
  override push(chunk: unknown, encoding?: BufferEncoding): boolean {
    if (chunk !== null) this.ends.push(this.info.bytes);
    return super.push(chunk, encoding);
  }
}

/**
 * Reads a CSV file with a header row into the table. Records come out as arrays (no per-row objects from the
 * parser) and are pulled with `read()` after each chunk is written, so a sync sink costs no promise per row and an
 * async one holds the input until it resolves. Each record gets the line it starts on (a quoted cell may span
 * lines; blank lines are skipped but counted).
 */
export async function readCsv(head: string, chunks: AsyncIterable<Buffer>, table: Table): Promise<void> {
  const parser = new EndTrackingParser({
    delimiter: detectDelimiter(head),
    bom: true,
    trim: true,
    relax_quotes: true,
    skip_empty_lines: true,
    // Lines of empty cells (",,,", as spreadsheets leave them) are blank lines too.
    skip_records_with_empty_values: true,
    // Checked by the table instead, after blank records are skipped and with the row number in the message.
    relax_column_count: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  // A parse error is read from `parser.errored` / the final iteration; this keeps it from being "unhandled".
  parser.on('error', () => {});
  const cr = head.includes('\r') && !head.includes('\n');
  const lines = new LineCounter(cr ? 0x0d : 0x0a);
  let taken = 0;
  let lastLine = 0;
  const startLine = (record: string[]): number => {
    const end = parser.ends[taken++]!;
    const line = lines.lineAt(end - 1);
    const prev = lastLine;
    lastLine = line;
    // The usual record is one line right after the previous one; otherwise blank lines came first or a quoted
    // cell holds line breaks, which are counted back.
    if (line - prev <= 1) return line;
    let inside = 0;
    for (const cell of record) for (let i = cell.indexOf('\n'); i >= 0; i = cell.indexOf('\n', i + 1)) inside++;
    return line - inside;
  };
  const drain = async () => {
    for (let record: unknown = parser.read(); record !== null; record = parser.read()) {
      if (!Array.isArray(record)) continue;
      const pending = table.add(record as string[], startLine(record as string[]));
      if (pending) await pending;
    }
    if (taken === parser.ends.length) {
      parser.ends.length = 0;
      taken = 0;
    }
  };

  try {
    for await (const chunk of chunks) {
      lines.feed(chunk);
      parser.write(chunk);
      await drain();
      if (parser.errored) throw parser.errored;
    }
    parser.end();
    // The last record is only known at the end (no final newline), and the flush may be asynchronous.
    for await (const record of parser) {
      if (!Array.isArray(record)) continue;
      const pending = table.add(record as string[], startLine(record as string[]));
      if (pending) await pending;
    }
  } catch (err) {
    throw err instanceof CsvError ? describe(err) : err;
  } finally {
    parser.destroy();
  }
}

/** csv-parse counts the header as a record, so its record count is the data row being read when it failed. */
function describe(err: CsvError): IngestError {
  const row = typeof err.records === 'number' ? err.records : 0;
  const line = typeof err.lines === 'number' ? err.lines : undefined;
  const where = row === 0 ? 'header' : `row ${row}`;
  const at = line === undefined ? where : `${where} (line ${line})`;
  switch (err.code) {
    case 'CSV_QUOTE_NOT_CLOSED':
      return unparseable(`${where}: unclosed quote (the quoted field runs to the end of the file)`, { row });
    case 'CSV_MAX_RECORD_SIZE':
      return unparseable(`${where}: longer than ${MAX_RECORD_BYTES / 1024 / 1024} MiB (an unclosed quote?)`, { row });
    case 'CSV_INVALID_CLOSING_QUOTE':
    case 'CSV_NON_TRIMABLE_CHAR_AFTER_CLOSING_QUOTE':
      return unparseable(`${at}: text after a closing quote (quotes inside a quoted field are written "")`, {
        row,
        line,
      });
    default:
      return unparseable(`${at}: ${err.message}`, { row, line });
  }
}
