import fc from 'fast-check';
import { getCountryCallingCode, isValidPhoneNumber, parsePhoneNumberFromString } from 'libphonenumber-js/max';
import examples from 'libphonenumber-js/examples.mobile.json';
import metadata from 'libphonenumber-js/metadata.max.json';
import {
  callingCodeOfCountry,
  checkInternational,
  countryOfUnambiguous,
  normalizeNumber,
  regionOfCallingCode,
  type CountryReading,
} from '../src';

describe('normalizeNumber', () => {
  it.each([
    ['+91 99700 00001', '919970000001'],
    ['(91) 9970-000002', '919970000002'],
    ['(+91) 99700-00001', '919970000001'],
    ['0091 9970000001', '919970000001'],
    ['91.9970.000001', '919970000001'],
    ['  +91-99700-00001\t', '919970000001'],
    ['919970000001', '919970000001'],
    ['919970000022.0', '919970000022'],
    ['919970000022,00', '919970000022'],
    ['+1 (415) 555-2671', '14155552671'],
    ['447911123456', '447911123456'],
  ])('turns %p into %p', (raw, expected) => {
    expect(normalizeNumber(raw)).toMatchObject({ ok: true, value: expected });
  });

  it.each([
    ['an Excel float with a decimal', '919970000702.5', /decimal part/],
    ['a float after a bracket', '(91) 9970000022.5', /decimal part/],
    ['a decimal comma', '919970000022,5', /decimal part/],
    ['scientific notation', '9.19970E+11', /Excel turned this number into 9\.19970E\+11: .*format the column as text/i],
    ['scientific notation, lower case', '9.1997e11', /Excel turned this number/],
    ['a leading apostrophe', "'919970000022", /apostrophe/],
    ['two numbers with a slash', '919970000001 / 919970000002', /more than one number/],
    ['two numbers with a comma', '919970000001, 919970000002', /more than one number/],
    ['two international numbers', '+919970000001 +919970000002', /more than one number/],
    ['two numbers on two lines', '919970000001\n919970000002', /more than one number/],
    ['letters', '91997000000A', /letters/],
    ['an extension', '+919970000001 ext 12', /letters/],
    ['a word', 'call me', /letters/],
    ['outside the numbering plan', '910000000000', /not a valid number in India \(IN\)/],
    ['no country code and no default', '9970000001', /no country code and the list has no country/],
    ['too short for the US plan', '+12345678', /United States/],
    ['far too long', '1234567890123456789', /too long/],
    ['blank', '   ', /required/],
    ['a lone plus', '+', /digits/],
  ])('rejects %s', (_what, raw, message) => {
    const result = normalizeNumber(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('clips a long bad value in the message', () => {
    const result = normalizeNumber(`abc${'9'.repeat(100)}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeLessThan(160);
  });

  describe('with DEFAULT_COUNTRY_CODE 91 (region IN)', () => {
    it.each([
      ['09970000001', '919970000001', 'the trunk 0 is dropped'],
      ['9970000001', '919970000001', 'ten digits are national'],
      ['099 7000 0001', '919970000001', 'separators and a trunk 0'],
      ['919970000001', '919970000001', 'a number that carries its country code'],
      ['447911123456', '447911123456', 'another country written without +'],
      ['+447911123456', '447911123456', 'a + means international'],
      ['00447911123456', '447911123456', '00 means international'],
      ['9970000001.0', '919970000001', 'an Excel float of a national number'],
      ['(0) 99700-00001.0', '919970000001', 'a float after separators'],
    ])('%p → %p (%s)', (raw, expected) => {
      expect(normalizeNumber(raw, '91')).toMatchObject({ ok: true, value: expected });
    });

    it.each([
      ['12345', /not a valid number/],
      ['5555555555', /not a valid number in India \(IN\)/],
      ['+9970000001', /country calling code/],
    ])('rejects %p', (raw, message) => {
      const result = normalizeNumber(raw, '91');
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.message).toMatch(message);
    });
  });

  it('reads national numbers of other regions by their own trunk prefix', () => {
    expect(normalizeNumber('07911 123456', '44')).toMatchObject({ ok: true, value: '447911123456' });
    expect(normalizeNumber('(415) 555-2671', '1')).toMatchObject({ ok: true, value: '14155552671' });
  });
});

/** Cells as spreadsheets, CRMs and people write them: digits with separators, floats, exponents, noise. */
const digitRun = fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: 1, maxLength: 16 });
const cell = fc.oneof(
  fc
    .tuple(fc.constantFrom('', '+', '00', '0', '(', "'"), fc.array(digitRun, { minLength: 1, maxLength: 4 }))
    .chain(([lead, groups]) =>
      fc.constantFrom(' ', '-', '.', '', ')', ' / ', ', ').map((sep) => lead + groups.join(sep)),
    ),
  fc
    .tuple(digitRun, fc.constantFrom('.', ','), digitRun, fc.constantFrom('', 'E+11', 'e10'))
    .map(([a, dot, b, exp]) => `${a}${dot}${b}${exp}`),
  fc.tuple(fc.constantFrom('91', '44', '1', '49', '971', '55'), digitRun).map(([cc, n]) => `+${cc} ${n}`),
  fc.string({ maxLength: 20 }),
);

/** The numbers a cell may legitimately stand for: its digits, less `00` or a trunk `0`, the default code added. */
function readings(raw: string, code: string | undefined): string[] {
  const whole = /^(.*?)[.,]0+$/.exec(raw.trim());
  const digits = (whole ? whole[1]! : raw).replace(/\D/g, '');
  const out = [digits, digits.replace(/^00/, '')];
  if (code) out.push(code + digits, code + digits.replace(/^0/, ''), code + digits.replace(/^1/, ''));
  return out;
}

describe('normalizeNumber, property: never a number that was not in the cell', () => {
  it.each([[undefined], ['91'], ['44'], ['1']])('with DEFAULT_COUNTRY_CODE %p', (code) => {
    fc.assert(
      fc.property(cell, (raw) => {
        const result = normalizeNumber(raw, code);
        if (!result.ok) return;
        expect(readings(raw, code)).toContain(result.value);
        expect(result.value).toMatch(/^\d{1,15}$/);
        // libphonenumber itself agrees the number is valid.
        expect(isValidPhoneNumber(`+${result.value}`)).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('rejects every cell with a decimal other than .0, or an exponent', () => {
    fc.assert(
      fc.property(digitRun, digitRun, (a, b) => {
        fc.pre(/[1-9]/.test(b));
        expect(normalizeNumber(`${a}.${b}`).ok).toBe(false);
        expect(normalizeNumber(`${a}.${b}E+11`).ok).toBe(false);
      }),
    );
  });
});

describe('the list country (SPEC §20)', () => {
  it('reads a bare number valid both ways as a row error under an inferred country, naming both readings', () => {
    const result = normalizeNumber('6581234567', { code: '91', inferred: true });
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toMatch(/reads two ways/);
      expect(result.message).toContain('Singapore (SG) +65 8123 4567');
      expect(result.message).toContain('India (IN) +91 6581 234 567');
      expect(result.message).toContain('country=IN');
    }
    // Given by the operator, the national reading wins (as with DEFAULT_COUNTRY_CODE).
    expect(normalizeNumber('6581234567', { code: '91' })).toMatchObject({ ok: true, value: '916581234567' });
    expect(normalizeNumber('6581234567', '91')).toMatchObject({ ok: true, value: '916581234567', country: 'IN' });
    // Written with its code, it is no question.
    expect(normalizeNumber('+65 8123 4567', { code: '91', inferred: true })).toMatchObject({ value: '6581234567' });
  });

  it('reads a bare number valid only one way that way under an inferred country', () => {
    expect(normalizeNumber('9970000001', { code: '91', inferred: true })).toMatchObject({ value: '919970000001' });
    expect(normalizeNumber('447911123456', { code: '91', inferred: true })).toMatchObject({ value: '447911123456' });
  });

  it('without a list country, refuses a bare number national in a country of the file', () => {
    expect(normalizeNumber('6581234567', { ambiguousWith: ['91'] }).ok).toBe(false);
    expect(normalizeNumber('447911123456', { ambiguousWith: ['91'] })).toMatchObject({
      ok: true,
      value: '447911123456',
    });
  });

  it('with no list country, never reads a bare national-length number in a country (issue 19: 5/9 went abroad)', () => {
    const read = normalizeNumber('6581234567');
    expect(read.ok).toBe(false);
    expect(!read.ok && read.message).toMatch(/Singapore \(SG\) \+65 8123 4567.*country=IN/);
    // Longer than a national number: it carries its own country code.
    expect(normalizeNumber('916581234567')).toMatchObject({ ok: true, value: '916581234567', country: 'IN' });
    expect(normalizeNumber('+6581234567')).toMatchObject({ ok: true, value: '6581234567', country: 'SG' });
  });

  it('tells which numbers carry their country whatever the list', () => {
    expect(countryOfUnambiguous('+65 8123 4567')).toEqual({ code: '65', country: 'SG' });
    expect(countryOfUnambiguous('0091 99700 00001')).toEqual({ code: '91', country: 'IN' });
    expect(countryOfUnambiguous('919970000001')).toEqual({ code: '91', country: 'IN' });
    expect(countryOfUnambiguous('6581234567')).toBeUndefined();
    expect(countryOfUnambiguous('+91 12')).toBeUndefined();
    expect(countryOfUnambiguous('9.19970E+11')).toBeUndefined();
  });

  it('knows ISO countries', () => {
    expect(callingCodeOfCountry('IN')).toBe('91');
    expect(callingCodeOfCountry('sg')).toBe('65');
    expect(callingCodeOfCountry('CA')).toBe('1');
    for (const bad of ['XX', 'IND', '91', '', 'I']) expect(callingCodeOfCountry(bad)).toBeUndefined();
  });
});

/** Valid mobile numbers of a few countries: libphonenumber's example with its last digits changed. */
const POOL = ['IN', 'SG', 'US', 'CA', 'GB', 'DE', 'AE', 'BR', 'NG', 'ID', 'FR', 'AU', 'NZ', 'RU'] as const;
const validNumber = fc
  .tuple(fc.constantFrom(...POOL), fc.integer({ min: 0, max: 999 }))
  .map(([country, tail]) => {
    const example = examples[country];
    const national = example.slice(0, -3) + String(tail).padStart(3, '0');
    return { country, code: getCountryCallingCode(country) as string, national };
  })
  .filter(({ country, national }) => isValidPhoneNumber(national, country));

/** One way a person writes the number, with spaces, dashes or brackets between digit groups. */
const spelling = fc.constantFrom('+cc', '00cc', 'bare-international', 'bare-national', 'trunk-national');
const separated = (digits: string, cuts: number[], seps: string[]) => {
  let out = '';
  let at = 0;
  cuts.forEach((cut, i) => {
    const end = Math.min(digits.length, at + cut);
    const group = digits.slice(at, end);
    if (group === '') return;
    const sep = seps[i % seps.length]!;
    out += sep === '()' ? `(${group}) ` : `${group}${sep}`;
    at = end;
  });
  return out + digits.slice(at);
};
const written = fc
  .tuple(
    validNumber,
    spelling,
    fc.array(fc.integer({ min: 1, max: 5 }), { maxLength: 4 }),
    fc.array(fc.constantFrom(' ', '-', '', '()'), { minLength: 1, maxLength: 4 }),
  )
  .map(([n, how, cuts, seps]) => {
    const trunk = getExampleTrunk(n.country);
    const digits =
      how === 'bare-national'
        ? n.national
        : how === 'trunk-national'
          ? `${trunk}${n.national}`
          : how === 'bare-international'
            ? n.code + n.national
            : n.national;
    const lead = how === '+cc' ? `+${n.code} ` : how === '00cc' ? `00${n.code} ` : '';
    return { ...n, how, cell: lead + separated(digits, cuts, seps), digits };
  });

/** The trunk prefix of a country's national numbers ('' when none): `0` in India and the UK, `1` in the US. */
function getExampleTrunk(country: string): string {
  const m = (metadata as unknown as { countries: Record<string, unknown[]> }).countries[country]!;
  return typeof m[5] === 'string' ? m[5] : '';
}

/** How the list is read: nothing known, a country given, one inferred, or none with the file's countries. */
const listReading = fc.oneof(
  fc.constant<CountryReading>({}),
  fc.constantFrom(...POOL).map((c): CountryReading => ({ code: getCountryCallingCode(c) })),
  fc.constantFrom(...POOL).map((c): CountryReading => ({ code: getCountryCallingCode(c), inferred: true })),
  fc
    .array(fc.constantFrom(...POOL), { minLength: 1, maxLength: 3 })
    .map((cs): CountryReading => ({ ambiguousWith: cs.map((c) => getCountryCallingCode(c)) })),
);

describe('the list country, property: a number is only ever read in a country the cell or the list gave', () => {
  it('reads a number with + or 00 as written, whatever the list', () => {
    fc.assert(
      fc.property(written, listReading, (n, reading) => {
        fc.pre(n.how === '+cc' || n.how === '00cc');
        expect(normalizeNumber(n.cell, reading)).toMatchObject({ ok: true, value: n.code + n.national });
        expect(countryOfUnambiguous(n.cell)).toMatchObject({ code: n.code });
      }),
      { numRuns: 1000 },
    );
  });

  it('reads a bare number in the list country or as the international number its digits are, never else', () => {
    fc.assert(
      fc.property(written, listReading, (n, reading) => {
        fc.pre(n.how !== '+cc' && n.how !== '00cc');
        const result = normalizeNumber(n.cell, reading);
        if (!result.ok) return;
        const allowed = [n.digits];
        if (reading.code) {
          allowed.push(reading.code + n.digits);
          const trunk = trunkOf(reading.code);
          if (trunk && n.digits.startsWith(trunk)) allowed.push(reading.code + n.digits.slice(trunk.length));
        }
        expect(allowed).toContain(result.value);
        // The country is the one of the number sent (libphonenumber agrees), not a guess on top of it.
        expect(parsePhoneNumberFromString(`+${result.value}`)?.isValid()).toBe(true);
      }),
      { numRuns: 3000 },
    );
  });

  it('never guesses under an inferred country: valid both ways is a row error naming both', () => {
    fc.assert(
      fc.property(written, fc.constantFrom(...POOL), (n, listCountry) => {
        fc.pre(n.how !== '+cc' && n.how !== '00cc');
        const code = getCountryCallingCode(listCountry);
        // The national reading: the digits (less a trunk prefix) after the list's code.
        const trunk = getExampleTrunk(listCountry);
        const national = code + (trunk && n.digits.startsWith(trunk) ? n.digits.slice(trunk.length) : n.digits);
        const asNational = isValidPhoneNumber(`+${national}`);
        const asInternational = isValidPhoneNumber(`+${n.digits}`);
        const result = normalizeNumber(n.cell, { code, inferred: true });
        if (asNational && asInternational && national !== n.digits) {
          expect(result.ok).toBe(false);
          if (!result.ok) expect(result.message).toMatch(/reads two ways.*, or .*country=/);
        } else if (result.ok) {
          expect([n.digits, national]).toContain(result.value);
        }
      }),
      { numRuns: 3000 },
    );
  });

  it('reads a bare national number in the country given with the list', () => {
    fc.assert(
      fc.property(written, (n) => {
        fc.pre((n.how === 'bare-national' && n.national.length <= 10) || n.how === 'trunk-national');
        expect(normalizeNumber(n.cell, { code: n.code })).toMatchObject({ ok: true, value: n.code + n.national });
      }),
      { numRuns: 1000 },
    );
  });
});

function trunkOf(code: string): string | undefined {
  const region = regionOfCallingCode(code);
  return region ? getExampleTrunk(region) || undefined : undefined;
}
