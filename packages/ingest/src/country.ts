import {
  callingCodeOfCountry,
  countryOfUnambiguous,
  regionOfCallingCode,
  type CountryReading,
  type FieldError,
  type RawRecipient,
} from '@sobot/schema';
import { IngestError } from './errors';
import type { Rows } from './tally';

/** Where the list's country came from: the upload's `country`, DEFAULT_COUNTRY_CODE, the file, or nowhere. */
export type CountrySource = 'option' | 'default' | 'inferred' | 'none';

/** The country a list's bare numbers are read in (SPEC §20). */
export interface ListCountry {
  /** ISO 3166 alpha-2; null when the list has none. */
  country: string | null;
  source: CountrySource;
  reading: CountryReading;
}

/** Share of the numbers with an unambiguous country code one calling code needs to be the list's country. */
export const INFER_SHARE = 0.8;
/** With no list country: the most common countries whose national reading makes a bare number ambiguous. */
const AMBIGUOUS_WITH_MAX = 3;

/**
 * The country given with the upload (`country`, ISO 3166 alpha-2), else DEFAULT_COUNTRY_CODE (a calling code);
 * undefined when neither is, and the file must tell. An unknown `country` is UNKNOWN_COUNTRY.
 */
export function givenCountry(option: string | undefined, defaultCode: string | undefined): ListCountry | undefined {
  if (option !== undefined) {
    const code = callingCodeOfCountry(option);
    if (!code) {
      throw new IngestError(
        'UNKNOWN_COUNTRY',
        `country ${JSON.stringify(option.slice(0, 20))} is not a known country: ` +
          'give an ISO 3166 alpha-2 code such as IN, SG or US',
      );
    }
    return { country: option.toUpperCase(), source: 'option', reading: { code } };
  }
  if (defaultCode) {
    return { country: regionOfCallingCode(defaultCode) ?? null, source: 'default', reading: { code: defaultCode } };
  }
  return undefined;
}

/**
 * First pass over a list with no given country: counts the numbers whose country does not depend on the list's
 * (written with `+`/`00`, or bare and longer than a national number), per calling code and country. Nothing is
 * validated or kept but these counts.
 */
export class CountrySurvey implements Rows {
  /** calling code → country → numbers. */
  private readonly byCode = new Map<string, Map<string, number>>();
  private counted = 0;

  add(raw: RawRecipient): void {
    const found = countryOfUnambiguous(raw.customer_number ?? '');
    // A non-geographic number (`001`) has no national numbers: it cannot make a list's country.
    if (!found || found.country === '001') return;
    let countries = this.byCode.get(found.code);
    if (!countries) this.byCode.set(found.code, (countries = new Map()));
    countries.set(found.country, (countries.get(found.country) ?? 0) + 1);
    this.counted++;
  }

  reject(_row: number, _line: number, _errors: FieldError[]): void {}

  /**
   * The calling code of ≥ INFER_SHARE of the counted numbers (countries that share a calling code, +1 or +7, count
   * together: they share national numbers), named by its most common country. Else no country, and a bare number
   * that is also national in one of the most common countries is ambiguous.
   */
  decide(): ListCountry {
    const codes = [...this.byCode].map(([code, countries]) => {
      let total = 0;
      let top: [string, number] = ['', 0];
      for (const entry of countries) {
        total += entry[1];
        if (entry[1] > top[1]) top = entry;
      }
      return { code, country: top[0], total };
    });
    codes.sort((a, b) => b.total - a.total);
    const first = codes[0];
    if (first && first.total >= INFER_SHARE * this.counted) {
      return { country: first.country, source: 'inferred', reading: { code: first.code, inferred: true } };
    }
    return {
      country: null,
      source: 'none',
      reading: { ambiguousWith: codes.slice(0, AMBIGUOUS_WITH_MAX).map((c) => c.code) },
    };
  }
}
