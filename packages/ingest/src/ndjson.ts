import { StringDecoder } from 'node:string_decoder';
import { unparseable } from './errors';
import type { JsonRecipients } from './json-recipient';
import { MAX_RECORD_BYTES } from './limits';

/**
 * Reads newline-delimited JSON, one recipient object a line; blank lines are skipped and not counted. A line that is
 * not JSON makes the file unparseable (its line number is in the message): the rest can no longer be trusted to be
 * one object a line. A line that is JSON but not an object is a row error.
 */
export async function readNdjson(chunks: AsyncIterable<Buffer>, recipients: JsonRecipients): Promise<void> {
  const decoder = new StringDecoder('utf8');
  let line = 0;
  let row = 0;
  let rest = '';

  const onLine = (text: string): void | Promise<void> => {
    line++;
    const trimmed = text.trim();
    if (trimmed === '') return;
    row++;
    let value: unknown;
    try {
      value = JSON.parse(trimmed);
    } catch (err) {
      throw unparseable(`line ${line}: not valid JSON (${err instanceof Error ? err.message : String(err)})`, {
        row,
        line,
      });
    }
    return recipients.add(value, row, line);
  };

  for await (const chunk of chunks) {
    const text = rest + decoder.write(chunk);
    let start = 0;
    for (let end = text.indexOf('\n'); end >= 0; end = text.indexOf('\n', start)) {
      const done = onLine(text.slice(start, end));
      if (done) await done;
      start = end + 1;
    }
    rest = text.slice(start);
    if (rest.length > MAX_RECORD_BYTES)
      throw unparseable(`line ${line + 1}: longer than ${MAX_RECORD_BYTES / 1024 / 1024} MiB`, { line: line + 1 });
  }
  rest += decoder.end();
  const done = onLine(rest);
  if (done) await done;
}
