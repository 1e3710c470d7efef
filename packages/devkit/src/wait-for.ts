/** Polls `check` until it returns a truthy value or the deadline passes (then throws with `what`). */
export async function waitFor<T>(
  check: () => T | Promise<T>,
  {
    timeoutMs = 30_000,
    intervalMs = 50,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? `: ${String(last)}` : ''}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Resolves with the value once `read()` has not changed for `quietMs` (in-flight work has landed); throws
 * after `timeoutMs` if it keeps changing.
 */
export async function settled<T>(read: () => T, quietMs: number, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = read();
  let since = Date.now();
  while (Date.now() - since < quietMs) {
    if (Date.now() > deadline) throw new Error(`value still changing after ${timeoutMs} ms (last ${String(value)})`);
    await new Promise((r) => setTimeout(r, Math.min(50, quietMs)));
    const next = read();
    if (next !== value) {
      value = next;
      since = Date.now();
    }
  }
  return value;
}

/**
 * A bounded quiet check: true when `read()` still equals `value` after `ms`, false as soon as it changes (the
 * check ends early on a change instead of sleeping out the window).
 */
export async function staysAt<T>(read: () => T, value: T, ms: number): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (read() !== value) return false;
    await new Promise((r) => setTimeout(r, Math.min(50, end - Date.now())));
  }
  return read() === value;
}
