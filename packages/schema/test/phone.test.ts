import { normalizeNumber } from '../src';

describe('normalizeNumber', () => {
  it.each([
    ['+91 99700 00001', '919970000001'],
    ['(91) 9970-000002', '919970000002'],
    ['0091 9970000001', '919970000001'],
    ['91.9970.000001', '919970000001'],
    ['  +91-99700-00001\t', '919970000001'],
    ['919970000001', '919970000001'],
    ['12345678', '12345678'],
    ['123456789012345', '123456789012345'],
  ])('turns %p into %p', (raw, expected) => {
    expect(normalizeNumber(raw)).toEqual({ ok: true, value: expected });
  });

  it.each([
    ['letters', '91997000000A', /digits/],
    ['a word', 'call me', /digits/],
    ['7 digits', '1234567', /8 to 15 digits .*got 7/],
    ['16 digits', '1234567890123456', /8 to 15 digits .*got 16/],
    ['00 and then too few', '00 1234567', /got 7/],
    ['blank', '   ', /required/],
  ])('rejects %s', (_what, raw, message) => {
    const result = normalizeNumber(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message).toMatch(message);
  });

  it('clips a long bad value in the message', () => {
    const result = normalizeNumber(`abc${'9'.repeat(100)}`);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.message.length).toBeLessThan(120);
  });

  describe('with DEFAULT_COUNTRY_CODE 91', () => {
    it.each([
      ['09970000001', '919970000001', 'a trunk 0 is dropped'],
      ['9970000001', '919970000001', 'ten digits are national'],
      ['099 7000 0001', '919970000001', 'separators and a trunk 0'],
      ['+9970000001', '9970000001', 'a + means international: no code added'],
      ['009970000001', '9970000001', '00 means international: no code added'],
      ['919970000001', '919970000001', 'eleven digits or more without a trunk 0 are international'],
    ])('%p → %p (%s)', (raw, expected) => {
      expect(normalizeNumber(raw, '91')).toEqual({ ok: true, value: expected });
    });

    it('still rejects a national number too short once prefixed', () => {
      expect(normalizeNumber('12345', '91').ok).toBe(false);
    });
  });

  it('takes a national-looking number as written when no country code is configured', () => {
    expect(normalizeNumber('9970000001')).toEqual({ ok: true, value: '9970000001' });
    expect(normalizeNumber('09970000001')).toEqual({ ok: true, value: '09970000001' });
  });
});
