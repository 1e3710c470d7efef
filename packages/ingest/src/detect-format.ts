export type RecipientFormat = 'csv' | 'json' | 'ndjson';
export type CsvDelimiter = ',' | ';' | '\t';

/**
 * Guesses the format from the start of the file (BOM already removed).
 * `[` → JSON. `{` → NDJSON when the first line is a whole JSON object that is itself a recipient (one without a
 * `recipients` key), else JSON (`{"recipients": […]}`, on one line or pretty-printed). Anything else → CSV.
 */
export function sniffFormat(head: string): RecipientFormat {
  const start = head.search(/\S/);
  const first = start < 0 ? '' : head[start];
  if (first === '[') return 'json';
  if (first !== '{') return 'csv';
  const end = head.indexOf('\n', start);
  let value: unknown;
  try {
    value = JSON.parse(end < 0 ? head.slice(start) : head.slice(start, end));
  } catch {
    return 'json';
  }
  return isPlainObject(value) && !Object.hasOwn(value, 'recipients') ? 'ndjson' : 'json';
}

/**
 * The delimiter seen most often outside quotes in the first line that has one (title lines above a header often
 * have none); `,` on a tie or when no line of the head has one.
 */
export function detectDelimiter(head: string): CsvDelimiter {
  let comma = 0;
  let semicolon = 0;
  let tab = 0;
  let quoted = false;
  for (let i = 0; i < head.length; i++) {
    const c = head[i];
    if (c === '"') quoted = !quoted;
    else if (quoted) continue;
    else if (c === '\n' || c === '\r') {
      if (comma + semicolon + tab > 0) break;
    } else if (c === ',') comma++;
    else if (c === ';') semicolon++;
    else if (c === '\t') tab++;
  }
  if (semicolon > comma && semicolon >= tab) return ';';
  if (tab > comma && tab > semicolon) return '\t';
  return ',';
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
