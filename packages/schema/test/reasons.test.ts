/**
 * One table of reasons (issue 24): every code SPEC §13 names, every skip reason (§12) and our own failure codes
 * have a plain sentence and what to do; HTTP statuses are explained by their class.
 */
import { REASONS, errorHint, reasonFor } from '../src';

/** The codes of SPEC §13's table, in its order. */
const SPEC_13 = [
  '131047',
  '131049',
  '131050',
  '131026',
  '131051',
  '131008',
  '131009',
  '131021',
  '131053',
  '131052',
  '368',
  '131031',
  '131042',
  '190',
  '0',
  '131057',
  '131000',
  '131016',
  '133004',
  '1',
  '2',
  '130429',
  '131056',
  '131048',
];
/** Skip reasons (SPEC §12), our own failure codes (sobot-client, sending), waiting and pause reasons (§15). */
const OWN = [
  'SUPPRESSED',
  'OUTSIDE_WINDOW',
  'FREQUENCY_CAP',
  'NO_WAMID',
  'TIMEOUT',
  'CONNECTION_RESET',
  'CONNECTION_REFUSED',
  'NETWORK_ERROR',
  'INTERNAL',
  'MESSAGING_LIMIT',
  'NO_ACTIVE_SENDER',
];

it.each([...SPEC_13, ...OWN, '429', '401', '403'])('%s has a sentence and what to do', (code) => {
  const reason = REASONS[code];
  expect(reason).toBeDefined();
  expect(reason!.what).toMatch(/^[A-Z].{15,}\.$/);
  expect(reason!.todo).toMatch(/^[A-Z].{10,}\.$/);
  expect(errorHint(code)).toBe(`${reason!.what} ${reason!.todo}`);
});

it('131047 says the customer is outside the 24-hour window and needs a template message', () => {
  expect(errorHint('131047')).toMatch(/24 hours[\s\S]*template message/);
});

it('explains HTTP statuses by their class, and nothing for a code nobody has explained', () => {
  expect(reasonFor('HTTP_503')).toBe(reasonFor('500'));
  expect(reasonFor('HTTP_503')?.what).toMatch(/server error/);
  expect(reasonFor('408')).toBe(reasonFor('502'));
  expect(reasonFor('HTTP_422')?.what).toMatch(/refused/);
  expect(errorHint('999999')).toBeUndefined();
  expect(errorHint('')).toBeUndefined();
  expect(errorHint(null)).toBeUndefined();
});
