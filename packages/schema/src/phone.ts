import { parsePhoneNumberFromString } from 'libphonenumber-js/max';
import {
  callingCodeOfRegion,
  checkInternational,
  checkNational,
  describeRegion,
  type PlanCheck,
  regionOfCallingCode,
  trunkPrefixOf,
} from './numbering-plan';

/**
 * Reading a phone number cell (SPEC §6, §11): the API wants digits only, country code included, and the number
 * sent must always be the digits of the cell (less an international `00` or a trunk prefix, plus the default
 * country code). Anything a spreadsheet may have done to a number is refused with what it did, never repaired
 * by guessing: a wrong recipient is worse than a rejected row.
 */

export type NumberResult = { ok: true; value: string; country: string } | { ok: false; message: string };

/**
 * How a number written without `+` or `00` is read (SPEC §20): in the list's country when it is a valid national
 * number there, else as international. A country given by the operator (the upload's `country`,
 * DEFAULT_COUNTRY_CODE) wins over the international reading; an inferred one does not: a number valid both ways
 * is refused, naming both readings.
 */
export interface CountryReading {
  /** Calling code of the list's country (`91`); none: bare digits are read as international. */
  code?: string;
  /** The list's country was inferred from the file, not given. */
  inferred?: boolean;
  /**
   * Without a list country: calling codes of the countries the file's numbers come from. A bare number that is
   * also a valid national number of one of them is refused rather than read as international.
   */
  ambiguousWith?: readonly string[];
}

/** Spaces, `-`, `(`, `)` and `.` between digit groups; `+` only in front. */
const SEPARATORS = /[\s\-().]/g;
/**
 * A cell whose only `.` (or `,`) is followed by digits to its end is a decimal: Excel, pandas and JSON writers turn
 * a number column into floats, and `919970000022.0` is the whole number while `919970000702.5` is not a phone
 * number at all. Stripping that `.` as a separator would send to another person. Several dots are separators
 * (`91.9970.000001`); a `,` followed by more than three digits separates two numbers.
 */
const DECIMAL = /^([^.,]*\d)([.,])(\d+)$/;
const SCIENTIFIC = /^[+-]?\d+(?:[.,]\d+)?[eE][+-]?\d+$/;
/** What separates two numbers written in one cell. */
const TWO_NUMBERS = /[/,;|&\n\r]|\s(?:or|and)\s|\d[\s\-().]*\+/i;
const LETTERS = /\p{L}/u;
const ALLOWED = /^[\s(]*\+?[\d\s\-().]+$/;
/** Most digits a national number written without its country code has (documented in docs/decisions.md). */
const NATIONAL_MAX_DIGITS = 10;
/** Longest number the API takes (E.164). */
const MAX_DIGITS = 15;

/**
 * `normalizeNumber` with the same answer for the same cell: one campaign has one reading. A string is a calling
 * code given by the operator (DEFAULT_COUNTRY_CODE).
 */
export function normalizeNumber(raw: string, country?: string | CountryReading): NumberResult {
  const reading: CountryReading = typeof country === 'string' ? { code: country } : (country ?? {});
  const cell = raw.trim();
  if (cell === '') return { ok: false, message: 'is required' };
  if (isDigits(cell)) return checkDigits(cell, cell, false, reading);
  const read = readCell(cell);
  if (!read.ok) return read;
  return checkDigits(cell, read.digits, read.international, reading);
}

/**
 * The calling code and country (ISO 3166 alpha-2, `001` non-geographic) of a number whose country does not depend
 * on the list's: written with `+` or `00`, or bare digits longer than a national number (NATIONAL_MAX_DIGITS) that
 * are valid as international. Undefined for anything else (a bare national-length number, an invalid cell). Used
 * to infer a list's country.
 */
export function countryOfUnambiguous(raw: string): { code: string; country: string } | undefined {
  const cell = raw.trim();
  if (cell === '') return undefined;
  let digits: string;
  let international: boolean;
  if (isDigits(cell)) {
    digits = cell;
    international = false;
  } else {
    const read = readCell(cell);
    if (!read.ok) return undefined;
    ({ digits, international } = read);
  }
  if (!international && digits.startsWith('00')) {
    international = true;
    digits = digits.slice(2);
  }
  if (!international && digits.length <= NATIONAL_MAX_DIGITS) return undefined;
  if (digits.length > MAX_DIGITS) return undefined;
  const check = checkInternational(digits);
  return check.valid ? { code: check.code, country: check.country } : undefined;
}

/** The calling code of an ISO 3166 alpha-2 country (`IN` → `91`, any case); undefined when there is none. */
export function callingCodeOfCountry(country: string): string | undefined {
  return /^[A-Za-z]{2}$/.test(country) ? callingCodeOfRegion(country.toUpperCase()) : undefined;
}

function isDigits(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

type CellRead = { ok: true; digits: string; international: boolean } | { ok: false; message: string };

/** A cell that is not plain digits: what a spreadsheet did to it, or its digits and whether `+`/`00` led them. */
function readCell(cell: string): CellRead {
  const shown = quote(cell);
  if (cell.startsWith("'") || cell.startsWith('’')) {
    return fail(
      `starts with an apostrophe (got ${shown}): the spreadsheet's "text" mark was saved into the cell; remove it`,
    );
  }
  if (SCIENTIFIC.test(cell)) {
    return fail(
      `Excel turned this number into ${cell}: its last digits are lost. Format the column as text, ` +
        'type the numbers again and save as CSV UTF-8',
    );
  }
  const decimal = DECIMAL.exec(cell);
  if (decimal && !(decimal[2] === ',' && decimal[3]!.length > 3)) {
    if (/^0+$/.test(decimal[3]!)) return readCell(decimal[1]!);
    return fail(
      `is a number with a decimal part (got ${shown}): a phone number column was stored as numbers ` +
        'and changed; format the column as text and type the numbers again',
    );
  }
  if (TWO_NUMBERS.test(cell)) return fail(`holds more than one number (got ${shown}): put one number in a cell`);
  if (LETTERS.test(cell)) return fail(`has letters in it (got ${shown}): a number is digits and + - ( ) . spaces`);
  if (!ALLOWED.test(cell)) return fail(`must contain only digits and + - ( ) . spaces (got ${shown})`);
  let digits = cell.replace(SEPARATORS, '');
  let international = digits.startsWith('+');
  if (international) digits = digits.slice(1);
  // `+` only leads (ALLOWED): a `+` left inside means something else was in the cell.
  if (digits.includes('+')) return fail(`holds more than one number (got ${shown}): put one number in a cell`);
  if (digits === '') return fail(`has no digits (got ${shown})`);
  if (!international && digits.startsWith('00')) {
    international = true;
    digits = digits.slice(2);
  }
  return { ok: true, digits, international };
}

function checkDigits(cell: string, digits: string, international: boolean, reading: CountryReading): NumberResult {
  const defaultCode = reading.code;
  if (!international && digits.startsWith('00')) {
    international = true;
    digits = digits.slice(2);
  }
  if (digits.length > MAX_DIGITS + 2) {
    return fail(`is too long: ${digits.length} digits (got ${quote(cell)}); two numbers in one cell?`);
  }
  if (international) return asInternational(cell, digits, true);
  if (!defaultCode) return withoutCountry(cell, digits, reading.ambiguousWith);

  const trunk = trunkPrefixOf(defaultCode);
  if (reading.inferred) {
    // Not given but inferred from the file: neither reading may win over the other.
    const nationalDigits = trunk && digits.startsWith(trunk) ? digits.slice(trunk.length) : digits;
    const national = checkNational(defaultCode, nationalDigits);
    const intl = digits.length <= MAX_DIGITS ? checkInternational(digits) : undefined;
    const asNational = defaultCode + nationalDigits;
    if (national.valid && intl?.valid && asNational !== digits) {
      return twoReadings(cell, asNational, national.country, digits, intl);
    }
    if (national.valid) return done(asNational, national.country);
    if (intl?.valid) return done(digits, intl.country);
  }
  if (trunk && digits.startsWith(trunk)) {
    const national = digits.slice(trunk.length);
    const check = checkNational(defaultCode, national);
    if (check.valid) return done(defaultCode + national, check.country);
    return invalidIn(check.country, defaultCode, national);
  }
  // Ten digits or fewer without `+`/`00` is national (a short local number must not reach another country);
  // longer carries its own country code when that reading is valid, else it is tried as national.
  const national = checkNational(defaultCode, digits);
  const intl = digits.length > NATIONAL_MAX_DIGITS ? checkInternational(digits) : undefined;
  if (intl?.valid) return done(digits, intl.country);
  if (national.valid) return done(defaultCode + digits, national.country);
  if (!intl) return invalidIn(national.country, defaultCode, digits);
  const region = regionOfCallingCode(defaultCode);
  return fail(
    `is not a valid number: not in ${region ? describeRegion(region) : `+${defaultCode}`} as +${defaultCode} ` +
      `${digits}, nor with a country code of its own (got ${quote(cell)})`,
  );
}

/**
 * Bare digits with no list country: international when longer than a national number, unless also national in a
 * country the file's numbers are from. A bare number of national length (ten digits or fewer) has no country to
 * be read in: as international it would be a guess (`6581234567` is Singapore's +65 8123 4567 or India's
 * 65812 34567), so it is refused and the row error names the reading it was not given (SPEC §20, issue 19).
 */
function withoutCountry(cell: string, digits: string, ambiguousWith: readonly string[] | undefined): NumberResult {
  if (digits.length <= NATIONAL_MAX_DIGITS) return noCountry(cell, digits);
  const result = asInternational(cell, digits, false);
  if (!result.ok || !ambiguousWith) return result;
  for (const code of ambiguousWith) {
    const trunk = trunkPrefixOf(code);
    if (trunk && digits.startsWith(trunk)) continue;
    const national = checkNational(code, digits);
    if (national.valid) return twoReadings(cell, code + digits, national.country, digits, checkInternational(digits));
  }
  return result;
}

/** The row error of a bare national-length number in a list with no country. */
function noCountry(cell: string, digits: string): NumberResult {
  const intl = checkInternational(digits);
  const asWritten = intl.valid
    ? `: read with a country code it would be ${describeRegion(intl.country)} ${pretty(digits)}`
    : '';
  return fail(
    `has no country code and the list has no country (got ${quote(cell)})${asWritten}. Write it with + and its ` +
      "country code, or set the upload's country (e.g. country=IN) to read national numbers",
  );
}

/** The row error of a bare number that is valid both in the list's country and as international (SPEC §20). */
function twoReadings(cell: string, asNational: string, country: string, digits: string, intl: PlanCheck): NumberResult {
  const national = `${describeRegion(country)} ${pretty(asNational)}`;
  const international = `${describeRegion(intl.country)} ${pretty(digits)}`;
  return fail(
    `reads two ways (got ${quote(cell)}): ${international}, or ${national}. Write it with + and its country code, ` +
      `or set the upload's country (e.g. country=${country})`,
  );
}

/** `+65 8123 4567` as libphonenumber writes it; `+6581234567` when it cannot. */
function pretty(digits: string): string {
  return parsePhoneNumberFromString(`+${digits}`)?.formatInternational() ?? `+${digits}`;
}

function asInternational(cell: string, digits: string, written: boolean): NumberResult {
  const check = checkInternational(digits);
  if (check.valid) return done(digits, check.country);
  if (check.reason === 'no-calling-code') {
    return fail(
      `does not start with a country calling code (got ${quote(cell)}): write it as +<country code> <number>` +
        (written ? '' : ", or set the upload's country (e.g. country=IN) for national numbers"),
    );
  }
  return invalidIn(check.country, check.code, digits.slice(check.code.length));
}

function invalidIn(country: string, code: string, national: string): NumberResult {
  const where = country ? describeRegion(country) : `+${code}`;
  return fail(`is not a valid number in ${where}: +${code} ${national} is outside its numbering plan`);
}

function done(value: string, country: string): NumberResult {
  if (value.length > MAX_DIGITS) return fail(`is too long: ${value.length} digits with the country code`);
  return { ok: true, value, country };
}

function fail(message: string): { ok: false; message: string } {
  return { ok: false, message };
}

function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}
