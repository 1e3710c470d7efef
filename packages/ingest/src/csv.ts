import { CsvError, parse } from 'csv-parse';
import type { RawRecipient } from '@sobot/schema';
import { mapHeader, type ColumnMap } from './columns';
import { detectDelimiter } from './detect-format';
import { IngestError, unparseable } from './errors';
import { MAX_RECORD_BYTES } from './limits';
import type { Tally } from './tally';

/**
 * Reads a CSV file with a header row into the tally. Records come out as arrays (no per-row objects from the
 * parser) and are pulled with `read()` after each chunk is written, so a sync sink costs no promise per row and an
 * async one holds the input until it resolves.
 */
export async function readCsv(head: string, chunks: AsyncIterable<Buffer>, tally: Tally): Promise<void> {
  const parser = parse({
    delimiter: detectDelimiter(head),
    bom: true,
    trim: true,
    relax_quotes: true,
    skip_empty_lines: true,
    // Lines of empty cells (",,,", as spreadsheets leave them) are blank lines too.
    skip_records_with_empty_values: true,
    // Checked below instead, after blank records are skipped and with the row number in the message.
    relax_column_count: true,
    max_record_size: MAX_RECORD_BYTES,
  });
  // A parse error is read from `parser.errored` / the final iteration; this keeps it from being "unhandled".
  parser.on('error', () => {});

  let columns: ColumnMap | undefined;
  let row = 0;
  const onRecord = (record: string[]): void | Promise<void> => {
    if (!columns) {
      columns = mapHeader(record);
      return;
    }
    row++;
    if (record.length !== columns.width) {
      throw unparseable(`row ${row}: has ${record.length} fields but the header has ${columns.width}`, { row });
    }
    return tally.add(recipient(record, columns), row);
  };

  try {
    for await (const chunk of chunks) {
      parser.write(chunk);
      for (let record: unknown = parser.read(); record !== null; record = parser.read()) {
        if (isRecord(record)) {
          const pending = onRecord(record);
          if (pending) await pending;
        }
      }
      if (parser.errored) throw parser.errored;
    }
    parser.end();
    // The last record is only known at the end (no final newline), and the flush may be asynchronous.
    for await (const record of parser) {
      if (isRecord(record)) {
        const pending = onRecord(record);
        if (pending) await pending;
      }
    }
  } catch (err) {
    throw err instanceof CsvError ? describe(err) : err;
  } finally {
    parser.destroy();
  }
}

function recipient(record: string[], c: ColumnMap): RawRecipient {
  return {
    customer_number: record[c.customer_number],
    customer_name: c.customer_name < 0 ? undefined : record[c.customer_name],
    url: c.url < 0 ? undefined : record[c.url],
    mime_type: c.mime_type < 0 ? undefined : record[c.mime_type],
    caption: c.caption < 0 ? undefined : record[c.caption],
  };
}

function isRecord(value: unknown): value is string[] {
  return Array.isArray(value);
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
