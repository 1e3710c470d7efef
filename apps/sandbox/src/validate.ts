/** The image message body checks of the Sobot API, written independently of @sobot/schema on purpose:
 * the sandbox is the oracle the client is tested against, so it must not share the client's mistakes. */

const CAPTION_MAX = 1024;
const MIME_TYPES = new Set(['image/jpeg', 'image/png']);
const SEPARATORS = /[+\-()\s]/;
const DIGITS = /^\d+$/;

/** What JSON.parse can give back. */
export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

export type MessageCheck = { ok: true; number: string } | { ok: false; number: string; message: string };

type Check = (value: Json | undefined) => string | undefined;

/** In the reference's field order. */
const CHECKS: ReadonlyArray<readonly [string, Check]> = [
  ['type', (v) => (v === 'image' ? undefined : 'must be "image"')],
  ['url', checkUrl],
  ['mime_type', (v) => (typeof v === 'string' && MIME_TYPES.has(v) ? undefined : 'must be image/jpeg or image/png')],
  ['customer_number', checkNumber],
  ['customer_name', (v) => (typeof v === 'string' && v.trim() !== '' ? undefined : 'is required (a non-empty string)')],
  ['caption', checkCaption],
];

/**
 * Checks a parsed body. Every problem is named by field, joined with '; '. `number` is the
 * customer_number as received (or '') so a rejected request still shows in the stats.
 */
export function checkMessage(body: Json): MessageCheck {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    return { ok: false, number: '', message: 'body must be a JSON object' };
  }
  const number = typeof body.customer_number === 'string' ? body.customer_number : '';
  let problems: string[] | undefined;
  for (const [field, check] of CHECKS) {
    const why = check(body[field]);
    if (why) (problems ??= []).push(`${field} ${why}`);
  }
  return problems ? { ok: false, number, message: problems.join('; ') } : { ok: true, number };
}

function checkUrl(url: Json | undefined): string | undefined {
  if (typeof url !== 'string' || url === '') return 'is required (an absolute http(s) URL)';
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'must be an absolute http(s) URL';
  }
  return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? undefined : 'must use http or https';
}

function checkNumber(n: Json | undefined): string | undefined {
  if (typeof n !== 'string' || n === '') return 'is required (a string of digits)';
  if (SEPARATORS.test(n)) return 'must not contain + - ( ) or spaces';
  if (!DIGITS.test(n)) return 'must contain digits only';
  return n.length < 8 || n.length > 15 ? `must have 8 to 15 digits (got ${n.length})` : undefined;
}

function checkCaption(caption: Json | undefined): string | undefined {
  if (caption === undefined) return undefined;
  if (typeof caption !== 'string') return 'must be a string';
  // Characters, not UTF-16 units, so an emoji counts once; never more characters than units.
  if (caption.length <= CAPTION_MAX) return undefined;
  const length = [...caption].length;
  return length > CAPTION_MAX ? `must be at most ${CAPTION_MAX} characters (got ${length})` : undefined;
}
