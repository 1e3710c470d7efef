import { JSONParser } from '@streamparser/json';
import { IngestError, unparseable } from './errors';
import type { JsonRecipients } from './json-recipient';
import { MAX_RECORD_BYTES } from './limits';

/**
 * Reads a JSON array of recipients, or `{"recipients": [...]}`, element by element: each element is dropped by the
 * parser once emitted, so a huge array never sits whole in memory.
 */
/**
 * `line` of an element is its row + 1: the line it would have in a sheet made of the array, header on line 1
 * (a JSON element has no line of its own that a person would look up).
 */
export async function readJson(head: string, chunks: AsyncIterable<Buffer>, recipients: JsonRecipients): Promise<void> {
  const start = head.trimStart()[0];
  if (start !== '[' && start !== '{') {
    throw unparseable(`not a JSON array or object: expected [ or { at the start (got ${JSON.stringify(start ?? '')})`);
  }
  const parser = new JSONParser({ paths: [start === '[' ? '$.*' : '$.recipients.*'], keepStack: false });
  // Values completed by one chunk, handed to the tally after the parser returns (it cannot await).
  let batch: unknown[] = [];
  let misplaced = false;
  parser.onValue = ({ value, parent }) => {
    if (!Array.isArray(parent)) misplaced = true;
    else batch.push(value);
  };

  let row = 0;
  // Bytes since the last complete element: bounds memory when one element (or the prologue) never ends.
  let pending = 0;
  for await (const chunk of chunks) {
    if (parser.isEnded) {
      // The parser ends with the top-level value; only whitespace may follow it.
      if (chunk.toString('utf8').trim() === '') continue;
      throw trailingData();
    }
    try {
      parser.write(chunk);
    } catch (err) {
      throw parser.isEnded ? trailingData() : malformed(err, row + batch.length + 1);
    }
    if (misplaced) throw unparseable('"recipients" must be an array of recipient objects');
    pending = batch.length > 0 ? 0 : pending + chunk.length;
    if (pending > MAX_RECORD_BYTES)
      throw unparseable(`row ${row + 1}: longer than ${MAX_RECORD_BYTES / 1024 / 1024} MiB`, { row: row + 1 });
    const values = batch;
    batch = [];
    for (const value of values) {
      ++row;
      const done = recipients.add(value, row, row + 1);
      if (done) await done;
    }
  }
  if (!parser.isEnded) {
    try {
      parser.end();
    } catch {
      throw unparseable(`row ${row + 1}: invalid JSON: the file ends inside it (a truncated upload?)`, {
        row: row + 1,
      });
    }
  }
}

function trailingData(): IngestError {
  return unparseable('invalid JSON: unexpected data after the end of the top-level value');
}

function malformed(err: unknown, row: number): IngestError {
  const reason = err instanceof Error ? err.message : String(err);
  return unparseable(`row ${row}: invalid JSON (${reason})`, { row });
}
