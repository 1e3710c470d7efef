/**
 * Opt-out and opt-in keywords (SPEC §12): an inbound text is a keyword only when the whole message is one,
 * case and surrounding (or repeated inner) white space aside. "STOP" and " stop " are; "stop sending me
 * cats" is not.
 */
export type KeywordAction = 'opt-out' | 'opt-in';

/** What a message is compared as: NFKC, trimmed, inner white space runs as one space, upper case. */
export function keywordForm(text: string): string {
  return text.normalize('NFKC').trim().replace(/\s+/gu, ' ').toUpperCase();
}

/** A matcher for the configured keywords; opt-out wins when a word is in both lists. */
export function keywordMatcher(
  optOut: readonly string[],
  optIn: readonly string[],
): (text: string | undefined) => KeywordAction | undefined {
  const out = new Set(optOut.map(keywordForm).filter(Boolean));
  const inn = new Set(optIn.map(keywordForm).filter(Boolean));
  return (text) => {
    if (text === undefined) return undefined;
    const form = keywordForm(text);
    if (out.has(form)) return 'opt-out';
    if (inn.has(form)) return 'opt-in';
    return undefined;
  };
}

export const DEFAULT_OPT_OUT_KEYWORDS = ['STOP', 'UNSUBSCRIBE', 'STOP ALL'] as const;
export const DEFAULT_OPT_IN_KEYWORDS = ['START'] as const;
