import { NumberSet, numberKey } from '../src';

describe('NumberSet', () => {
  it('adds once and answers membership, through growth', () => {
    const set = new NumberSet(4);
    for (let i = 0; i < 10_000; i++) expect(set.add(919_900_000_000 + i * 7)).toBe(true);
    for (let i = 0; i < 10_000; i++) expect(set.add(919_900_000_000 + i * 7)).toBe(false);
    expect(set.size).toBe(10_000);
    expect(set.has(919_900_000_007)).toBe(true);
    expect(set.has(919_900_000_001)).toBe(false);
    expect(set.add(0)).toBe(true);
    expect(set.add(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(set.has(0)).toBe(true);
  });

  it('refuses what it cannot hold exactly', () => {
    const set = new NumberSet();
    for (const bad of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => set.add(bad)).toThrow(RangeError);
  });

  it('holds a million numbers in a few tens of megabytes', () => {
    const before = process.memoryUsage().arrayBuffers;
    const set = new NumberSet();
    for (let i = 0; i < 1_000_000; i++) set.add(919_000_000_000 + i * 13);
    const grown = process.memoryUsage().arrayBuffers - before;
    expect(set.size).toBe(1_000_000);
    expect(grown).toBeLessThan(40 * 1024 * 1024);
  });
});

describe('numberKey', () => {
  it('is the number itself for numbers without leading zeros', () => {
    expect(numberKey('919970000001')).toBe(919970000001);
    expect(numberKey('999999999999999')).toBe(999999999999999);
  });

  it('keeps leading zeros apart and stays exact', () => {
    const keys = [
      '123456789',
      '0123456789',
      '00123456789',
      '000000000000000',
      '00000000',
      '0',
      '100000000000000',
      '012345678901234',
    ].map(numberKey);
    expect(new Set(keys).size).toBe(keys.length);
    for (const k of keys) expect(Number.isSafeInteger(k)).toBe(true);
  });

  it('refuses non-digits and more than 15 digits', () => {
    expect(() => numberKey('1234567890123456')).toThrow(RangeError);
    expect(() => numberKey('12a')).toThrow(RangeError);
  });
});
