/** Between rounds (BullMQ-level attempts): 2 s, 4 s, 8 s, … capped at a minute, ±25% jitter. */
export function roundBackoffMs(round: number, random = Math.random): number {
  const base = 2_000 * 2 ** Math.max(0, round - 1);
  return Math.min(60_000, Math.round(base * (0.75 + random() * 0.5)));
}
