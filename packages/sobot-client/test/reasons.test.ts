/** Every code the policy table acts on and every code the sandbox plays has an entry in the reasons table. */
import { REASONS, errorHint } from '@sobot/schema';
import { UPSTREAM_CODES } from '@sobot/sandbox/src/upstream-errors';
import { POLICY_TABLE } from '../src';

it('every POLICY_TABLE code has a reason', () => {
  const missing = POLICY_TABLE.flatMap((row) => row.codes).filter((code) => !REASONS[code]);
  expect(missing).toEqual([]);
});

it('every upstream code the sandbox answers has a hint', () => {
  const missing = UPSTREAM_CODES.map(String).filter((code) => !errorHint(code));
  expect(missing).toEqual([]);
});
