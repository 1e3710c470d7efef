import { Transform } from 'node:stream';

/**
 * Text from the API reaches the user's terminal only with its control characters made visible: a campaign
 * name, a paused reason or an upstream error message may carry ESC or CSI sequences (C0 U+0000–U+001F,
 * DEL, C1 U+0080–U+009F) that would recolour, move the cursor, rewrite the title or hide text. Each one is
 * written as `\u00XX`: readable in a human line, and a valid JSON escape of the same character.
 */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;
/** In JSON text C0 is already escaped; DEL and C1 are not. */
const RAW_IN_JSON = /[\u007f-\u009f]/g;
/** In a streamed report, tab and CRLF line ends are the format's own; a lone CR is not. */
const CONTROL_IN_REPORT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]|\r(?!\n)/g;

const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;

/** One field of an API answer, for a human line. */
export function escapeControl(text: string): string {
  return text.replace(CONTROL, escapeChar);
}

/** Every string of an API answer (nested), for human output. */
export function escapeControlDeep<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => escapeControlDeep(v)) as T;
  if (typeof value === 'object' && value !== null)
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeControl(k), escapeControlDeep(v)])) as T;
  return value;
}

/** JSON for --json output: the same data, with no raw control character in the text. */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(RAW_IN_JSON, escapeChar);
}

/**
 * A report on its way to stdout: control characters escaped (JSON and NDJSON stay valid and parse to the
 * same rows; a CSV cell shows `\u001b` instead of acting on the terminal). UTF-8 is decoded across chunk
 * boundaries, and a CR at the end of a chunk waits to see whether an LF follows.
 */
export function escapeControlStream(): Transform {
  const decoder = new TextDecoder('utf-8');
  let held = '';
  const escape = (text: string, final: boolean): string => {
    const all = held + text;
    held = !final && all.endsWith('\r') ? '\r' : '';
    return (held ? all.slice(0, -1) : all).replace(CONTROL_IN_REPORT, escapeChar);
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, escape(decoder.decode(chunk, { stream: true }), false));
    },
    flush(callback) {
      callback(null, escape(decoder.decode(), true));
    },
  });
}
