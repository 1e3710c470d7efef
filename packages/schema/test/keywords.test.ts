import fc from 'fast-check';
import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS, keywordForm, keywordMatcher } from '../src';

const match = keywordMatcher(DEFAULT_OPT_OUT_KEYWORDS, DEFAULT_OPT_IN_KEYWORDS);
const space = fc.constantFrom(' ', '\t', '\n', '\u00a0', '  ');
const spaces = fc.array(space, { maxLength: 3 }).map((s) => s.join(''));
/** A word written in any mix of cases. */
const anyCase = (word: string) =>
  fc
    .array(fc.boolean(), { minLength: word.length, maxLength: word.length })
    .map((up) => [...word].map((c, i) => (up[i] ? c.toUpperCase() : c.toLowerCase())).join(''));

describe('opt-out and opt-in keywords (SPEC §12)', () => {
  it.each([
    ['STOP', 'opt-out'],
    ['stop', 'opt-out'],
    ['  Stop\n', 'opt-out'],
    ['unsubscribe', 'opt-out'],
    ['Stop All', 'opt-out'],
    ['stop   all', 'opt-out'],
    ['START', 'opt-in'],
    [' start ', 'opt-in'],
  ])('%p is %p', (text, action) => {
    expect(match(text)).toBe(action);
  });

  it.each(['stop sending me cats', 'STOP!', 'please stop', 'STOPALL', 'start now', 'S T O P', '', undefined])(
    '%p is no keyword',
    (text) => {
      expect(match(text)).toBeUndefined();
    },
  );

  it('matches a keyword whatever its case and the white space around it', () => {
    const keyword = fc.constantFrom(...DEFAULT_OPT_OUT_KEYWORDS, ...DEFAULT_OPT_IN_KEYWORDS);
    fc.assert(
      fc.property(
        keyword.chain((k) => fc.tuple(fc.constant(k), anyCase(k), spaces, spaces)),
        ([k, written, a, b]) => {
          const expected = (DEFAULT_OPT_OUT_KEYWORDS as readonly string[]).includes(k) ? 'opt-out' : 'opt-in';
          expect(match(`${a}${written}${b}`)).toBe(expected);
        },
      ),
    );
  });

  it('never takes a message that only contains a keyword among other words', () => {
    const word = fc.stringMatching(/^[a-z0-9!?.,]{1,8}$/);
    fc.assert(
      fc.property(
        fc.constantFrom(...DEFAULT_OPT_OUT_KEYWORDS, ...DEFAULT_OPT_IN_KEYWORDS),
        word,
        fc.boolean(),
        (k, other, before) => {
          const text = before ? `${other} ${k}` : `${k} ${other}`;
          fc.pre(!['all'].includes(other.toLowerCase()) || before);
          expect(match(text)).toBeUndefined();
        },
      ),
    );
  });

  it('is the same for any text and its keyword form, and opt-out wins a word in both lists', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        expect(match(keywordForm(text))).toBe(match(text));
      }),
    );
    expect(keywordMatcher(['stop'], ['STOP'])('Stop')).toBe('opt-out');
    expect(keywordMatcher(['ARRET'], [])('arrêt')).toBeUndefined();
    expect(keywordMatcher(['ARRÊT'], [])(' arrêt ')).toBe('opt-out');
  });
});
