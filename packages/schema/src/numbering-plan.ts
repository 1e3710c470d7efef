import metadata from 'libphonenumber-js/metadata.max.json';

/**
 * Numbering-plan validity from libphonenumber's `max` metadata (every type pattern of every country), compiled once
 * per calling code into regular expressions. `PhoneNumber.isValid()` does the same checks but builds its metadata
 * objects and regular expressions on every call (~10 µs a number, as much as the rest of the upload); these are
 * the same rules at a fraction of that. `numbering-plan.test.ts` checks the two agree on generated numbers.
 *
 * The metadata layout (libphonenumber-js METADATA.md, v4): a country is an array whose [0] is the calling code,
 * [2] the national number pattern, [3] the possible lengths, [5] the national (trunk) prefix, [10] the leading
 * digits that tell countries of a shared calling code apart and [11] the type patterns, each `[pattern, lengths?]`.
 */

type Json = unknown;
interface Plan {
  country: string;
  general: RegExp;
  /** Undefined when the metadata has no type patterns: the general pattern decides. */
  types: Array<{ pattern: RegExp; lengths: readonly number[] }> | undefined;
  leadingDigits: RegExp | undefined;
  trunkPrefix: string | undefined;
}

const countries = (metadata as { countries: Record<string, Json[]> }).countries;
const nonGeographic = (metadata as { nonGeographic?: Record<string, Json[]> }).nonGeographic ?? {};
const callingCodes = (metadata as { country_calling_codes: Record<string, string[]> }).country_calling_codes;

const anchored = (pattern: string) => new RegExp(`^(?:${pattern})$`);

function compile(country: string, m: Json[]): Plan {
  const lengths = Array.isArray(m[3]) ? (m[3] as number[]) : [];
  const rawTypes = Array.isArray(m[11]) && m[11].length > 0 ? (m[11] as Json[]) : undefined;
  // Mobile ([1]) first: most recipients are mobiles, and the order does not change the answer.
  const types = rawTypes
    ?.map((t, index) => ({ t, rank: index === 1 ? -1 : index }))
    .sort((a, b) => a.rank - b.rank)
    .map(({ t }) => t)
    .filter((t): t is [string, number[]?] => Array.isArray(t) && typeof t[0] === 'string' && t[0] !== '')
    .map((t) => ({ pattern: anchored(t[0]), lengths: Array.isArray(t[1]) ? t[1] : lengths }));
  return {
    country,
    general: anchored(typeof m[2] === 'string' ? m[2] : '\\d+'),
    types,
    leadingDigits: typeof m[10] === 'string' ? new RegExp(`^(?:${m[10]})`) : undefined,
    trunkPrefix: typeof m[5] === 'string' && /^\d+$/.test(m[5]) ? m[5] : undefined,
  };
}

const plansByCode = new Map<string, Plan[] | null>();

/** The plans of a calling code, main country first; null when no country has that code. */
function plansFor(code: string): Plan[] | null {
  let plans = plansByCode.get(code);
  if (plans !== undefined) return plans;
  const names = callingCodes[code];
  const geo = nonGeographic[code];
  if (names) plans = names.filter((c) => countries[c]).map((c) => compile(c, countries[c]!));
  else if (geo) plans = [compile('001', geo)];
  else plans = null;
  plansByCode.set(code, plans);
  return plans;
}

/**
 * As libphonenumber: the general pattern first (it is not always the union of the types': a German number can
 * match a type and not it), then the types.
 */
function validFor(plan: Plan, national: string): boolean {
  if (!plan.general.test(national)) return false;
  if (!plan.types) return true;
  const length = national.length;
  for (const t of plan.types) if (t.lengths.includes(length) && t.pattern.test(national)) return true;
  return false;
}

/**
 * The country of a national number within its calling code as libphonenumber picks it: the first country whose
 * leading digits match, or else the first for which the number is valid, or else the main country.
 */
function planOf(plans: Plan[], national: string): Plan {
  for (const plan of plans) {
    if (plan.leadingDigits) {
      if (plan.leadingDigits.test(national)) return plan;
    } else if (validFor(plan, national)) return plan;
  }
  return plans[0]!;
}

/** Every answer has the same fields (one object shape keeps the hot path monomorphic). */
export interface PlanCheck {
  valid: boolean;
  /** Why not, when not valid. */
  reason: 'no-calling-code' | 'invalid' | undefined;
  /** The calling code read, '' when none. */
  code: string;
  /** The country whose plan was checked, '' when none. */
  country: string;
}

/** Whether `callingCode` + `national` is a valid number of its country's plan (libphonenumber `isValid`). */
export function checkNational(callingCode: string, national: string): PlanCheck {
  const plans = plansFor(callingCode);
  if (!plans || plans.length === 0) return { valid: false, reason: 'no-calling-code', code: '', country: '' };
  const plan = planOf(plans, national);
  const valid = validFor(plan, national);
  return { valid, reason: valid ? undefined : 'invalid', code: callingCode, country: plan.country };
}

/** Splits international digits (no `+`) into calling code and national number; calling codes are prefix-free. */
export function splitCallingCode(digits: string): { code: string; national: string } | undefined {
  for (let n = 1; n <= 3 && n < digits.length; n++) {
    const code = digits.slice(0, n);
    if (callingCodes[code] || nonGeographic[code]) return { code, national: digits.slice(n) };
  }
  return undefined;
}

/** Checks digits written with their calling code (`919970000022`). */
export function checkInternational(digits: string): PlanCheck {
  for (let n = 1; n <= 3 && n < digits.length; n++) {
    const code = digits.slice(0, n);
    if (callingCodes[code] || nonGeographic[code]) return checkNational(code, digits.slice(n));
  }
  return { valid: false, reason: 'no-calling-code', code: '', country: '' };
}

/** The main region of a calling code (`91` → `IN`), for DEFAULT_COUNTRY_CODE; undefined when there is none. */
export function regionOfCallingCode(code: string): string | undefined {
  return callingCodes[code]?.[0];
}

/** The calling code of a region (`IN` → `91`); undefined for an unknown region. */
export function callingCodeOfRegion(region: string): string | undefined {
  const m = countries[region];
  return m && typeof m[0] === 'string' ? m[0] : undefined;
}

/** The trunk prefix national numbers of the calling code's main country start with (`0` in India), if any. */
export function trunkPrefixOf(code: string): string | undefined {
  return plansFor(code)?.[0]?.trunkPrefix;
}

let regionNames: Intl.DisplayNames | undefined;
/** "India (IN)"; "a non-geographic number" for `001`. */
export function describeRegion(country: string): string {
  if (country === '001') return 'a non-geographic service';
  regionNames ??= new Intl.DisplayNames(['en'], { type: 'region' });
  let name: string | undefined;
  try {
    name = regionNames.of(country);
  } catch {
    name = undefined;
  }
  return name && name !== country ? `${name} (${country})` : country;
}
