import fc from 'fast-check';
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/metadata.max.json';
import examples from 'libphonenumber-js/examples.mobile.json';
import { checkInternational } from '../src';

const codes = [...new Set(getCountries(metadata).map((c) => getCountryCallingCode(c, metadata) as string))];

/**
 * libphonenumber's own verdict on +<code><national>, when its parser reads those very digits (it may also strip a
 * trunk prefix or rewrite digits, which we never do: such a number is one we would reject, not a disagreement).
 */
function libraryVerdict(code: string, national: string): boolean | undefined {
  const parsed = parsePhoneNumberFromString(`+${code}${national}`, metadata);
  if (!parsed || parsed.countryCallingCode !== code || parsed.nationalNumber !== national) return undefined;
  return parsed.isValid();
}

describe('checkInternational agrees with libphonenumber (max metadata)', () => {
  it('on generated national numbers of every calling code', () => {
    let compared = 0;
    fc.assert(
      fc.property(
        fc.constantFrom(...codes),
        fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 4, maxLength: 13 }),
        (code, national) => {
          const expected = libraryVerdict(code, national);
          if (expected === undefined) return;
          compared++;
          expect(checkInternational(code + national).valid).toBe(expected);
        },
      ),
      { numRuns: 20_000 },
    );
    expect(compared).toBeGreaterThan(10_000);
  });

  it('on numbers that match a type of their country but not its general pattern (found by a property run)', () => {
    expect(libraryVerdict('49', '49700000')).toBe(false);
    expect(checkInternational('4949700000').valid).toBe(false);
  });

  it('on every country’s example mobile number, and on it with its last digit dropped', () => {
    for (const [country, national] of Object.entries(examples as Record<string, string>)) {
      const code = getCountryCallingCode(country as never, metadata) as string;
      for (const n of [national, national.slice(0, -1)]) {
        const expected = libraryVerdict(code, n);
        if (expected !== undefined)
          expect({ n, valid: checkInternational(code + n).valid }).toEqual({ n, valid: expected });
      }
      expect(checkInternational(code + national).valid).toBe(true);
    }
  });
});
