/** Phone number normalisation (SPEC §6): the API wants digits only, country code included. */

export type NumberResult = { ok: true; value: string } | { ok: false; message: string };

const SEPARATORS = /[+\-().\s]/g;
const NATIONAL_MAX_DIGITS = 10;

/**
 * Strips `+ - ( ) .` and whitespace and a leading international `00`. When `defaultCountryCode` is set,
 * a number written without an international prefix (`+` or `00`) that starts with a trunk `0` or has at
 * most 10 digits is national: its trunk zeros are dropped and the country code is prepended.
 * Without it, numbers are passed on as written (SPEC §6; the upstream itself prefixes a national
 * number with the business number's country code). The result must be 8–15 digits.
 */
export function normalizeNumber(raw: string, defaultCountryCode?: string): NumberResult {
  const trimmed = raw.trim();
  if (trimmed === '') return { ok: false, message: 'is required' };
  const international = trimmed.startsWith('+') || trimmed.replace(/[\s(]/g, '').startsWith('00');
  let digits = trimmed.replace(SEPARATORS, '');
  if (!/^\d+$/.test(digits))
    return { ok: false, message: `must contain only digits and + - ( ) . spaces (got "${clip(trimmed)}")` };
  if (digits.startsWith('00')) digits = digits.slice(2);
  if (defaultCountryCode && !international && (digits.startsWith('0') || digits.length <= NATIONAL_MAX_DIGITS)) {
    digits = defaultCountryCode + digits.replace(/^0+/, '');
  }
  if (digits.length < 8 || digits.length > 15) {
    return {
      ok: false,
      message: `must have 8 to 15 digits with the country code (got ${digits.length}: "${clip(trimmed)}")`,
    };
  }
  return { ok: true, value: digits };
}

function clip(s: string): string {
  return s.length > 40 ? `${s.slice(0, 40)}…` : s;
}
