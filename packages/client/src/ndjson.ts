import { SobotBulkResponseError } from './errors';

/**
 * Parses newline-delimited JSON as the bytes arrive: one value per non-blank line, whatever the
 * chunk boundaries (a line or a UTF-8 character may be split across chunks).
 */
export async function* parseNdjson(body: AsyncIterable<Uint8Array>): AsyncGenerator<unknown> {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending = '';
  let lineNo = 0;
  const parse = (line: string): unknown => {
    try {
      return JSON.parse(line);
    } catch {
      throw new SobotBulkResponseError(`line ${lineNo} of the NDJSON answer is not JSON`);
    }
  };
  for await (const chunk of body) {
    pending += decoder.decode(chunk, { stream: true });
    let start = 0;
    for (let nl = pending.indexOf('\n'); nl !== -1; nl = pending.indexOf('\n', start)) {
      const line = pending.slice(start, nl);
      start = nl + 1;
      lineNo += 1;
      if (line.trim() !== '') yield parse(line);
    }
    pending = pending.slice(start);
  }
  pending += decoder.decode();
  lineNo += 1;
  if (pending.trim() !== '') yield parse(pending);
}
