import fc from 'fast-check';
import { isValidPhoneNumber } from 'libphonenumber-js/max';
import { normalizeNumber } from '../src';

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
    ['no country code and no default', '9970000001', /country calling code/],
    ['too short for the US plan', '12345678', /United States/],
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
