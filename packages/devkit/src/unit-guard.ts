/**
 * `pnpm test:unit` (SOBOT_TEST_UNIT=1) runs the test files that start nothing. A file that starts a Redis, an app
 * process or a browser is an end-to-end file: it is named `*.e2e.test.ts` and runs under `pnpm test` only. This
 * throws when such a start happens in a unit run, so a misnamed file fails at once with the fix in its message.
 */
export function assertMayStartProcesses(what: string): void {
  if (process.env.SOBOT_TEST_UNIT === '1') {
    throw new Error(`${what} in a unit test run: a test file that starts one is named *.e2e.test.ts (README, Tests)`);
  }
}
