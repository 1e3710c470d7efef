/**
 * What a chaos run (SPEC §19) checks, as a pure function of what went in, what the product reported and what
 * the sandbox received — so the checks themselves are tested against hand-made failures.
 */

/** One kill of the run; `inFlightBound` is the most requests the killed process(es) could have had unanswered. */
export interface ChaosKill {
  /** ms since the run's chaos phase began. */
  at: number;
  target: 'worker' | 'producer' | 'redis';
  /** e.g. `worker-2`. */
  name: string;
  inFlightBound: number;
}

/** One accepted recipient (an upload's row or an API message) as the report or the message view shows it. */
export interface Reported {
  /** Campaign (upload) or API call the recipient belongs to. */
  campaign: string;
  number: string;
  status: string;
  wamid: string | null;
}

/** One request as the sandbox recorded it (its `/_sandbox/stats?received=1`). */
export interface Arrival {
  at: number;
  number: string;
  outcome: string;
  wamid?: string;
}

export interface ChaosInput {
  sendRate: number;
  /** Every number any upload or API call carried (suppressed and quiet ones included). */
  inputNumbers: ReadonlySet<string>;
  /** Accepted recipients per campaign or API call, as the upload / call answered. */
  accepted: ReadonlyMap<string, number>;
  reported: readonly Reported[];
  /** Numbers on the suppression list before their upload: never to be requested. */
  suppressed: readonly string[];
  /** Recipients inside their quiet hours for the whole run: never to be requested. */
  quiet: readonly string[];
  kills: readonly ChaosKill[];
  received: readonly Arrival[];
  /** Campaigns and calls that did not reach a terminal status in the drain (`id status`). */
  undrained: readonly string[];
}

export interface ChaosFigures {
  accepted: number;
  byStatus: Record<string, number>;
  /** Accepted recipients without exactly one terminal outcome, or reported sent without the sandbox having it. */
  lost: number;
  lostExamples: string[];
  /** Numbers the sandbox received that were in no input. */
  unexpected: number;
  unexpectedExamples: string[];
  /** Requests beyond the first, over every number. */
  duplicates: number;
  /** Σ of the kills' in-flight bounds. */
  duplicateBound: number;
  busiestSecond: number;
  /** When the busiest window began (ms epoch). */
  busiestAt: number;
  /** Arrivals in each 100 ms of the busiest window: a burst after a stall shows as one crowded tenth. */
  busiestTenths: number[];
  /** The same for the second before it: a stall shows as thin tenths there, just before the crowded one. */
  busiestTenthsBefore: number[];
  rateLimit: number;
  suppressedRequested: number;
  quietRequested: number;
  /** Recipients that ended `failed` (the sandbox answers every request 200, so none should). */
  failed: number;
  requests: number;
  undrained: readonly string[];
}

export interface ChaosCheck {
  name: string;
  value: string;
  limit: string;
  ok: boolean;
}

const TERMINAL = new Set(['sent', 'failed', 'skipped', 'cancelled']);

/** The most arrivals in any window of 1,000 ms (a sliding window over the sorted times), and when it began. */
export function busiestSecond(times: readonly number[]): { count: number; at: number } {
  const t = [...times].sort((a, b) => a - b);
  let peak = { count: 0, at: 0 };
  for (let i = 0, j = 0; i < t.length; i += 1) {
    while (t[i]! - t[j]! >= 1000) j += 1;
    if (i - j + 1 > peak.count) peak = { count: i - j + 1, at: t[j]! };
  }
  return peak;
}

export function chaosFigures(input: ChaosInput): ChaosFigures {
  const lostExamples: string[] = [];
  let lost = 0;
  const loseOne = (why: string) => {
    lost += 1;
    if (lostExamples.length < 10) lostExamples.push(why);
  };

  const requestsOf = new Map<string, number>();
  const wamidsOf = new Map<string, Set<string>>();
  for (const r of input.received) {
    requestsOf.set(r.number, (requestsOf.get(r.number) ?? 0) + 1);
    if (r.outcome === 'ok' && r.wamid) {
      const set = wamidsOf.get(r.number) ?? new Set<string>();
      set.add(r.wamid);
      wamidsOf.set(r.number, set);
    }
  }

  const byStatus: Record<string, number> = {};
  const rowsOf = new Map<string, number>();
  for (const r of input.reported) {
    byStatus[r.status] = (byStatus[r.status] ?? 0) + 1;
    const key = `${r.campaign} ${r.number}`;
    rowsOf.set(key, (rowsOf.get(key) ?? 0) + 1);
    if (!TERMINAL.has(r.status)) loseOne(`${key}: still ${r.status}`);
    else if (r.status === 'sent' && !(r.wamid && wamidsOf.get(r.number)?.has(r.wamid)))
      loseOne(`${key}: reported sent (${r.wamid ?? 'no wamid'}) but the sandbox never answered that wamid`);
  }
  for (const [key, rows] of rowsOf) if (rows > 1) loseOne(`${key}: ${rows} outcomes instead of one`);
  const reportedPer = new Map<string, number>();
  for (const key of rowsOf.keys()) {
    const campaign = key.split(' ')[0]!;
    reportedPer.set(campaign, (reportedPer.get(campaign) ?? 0) + 1);
  }
  let accepted = 0;
  for (const [campaign, n] of input.accepted) {
    accepted += n;
    const missing = n - (reportedPer.get(campaign) ?? 0);
    for (let i = 0; i < missing; i += 1)
      loseOne(`${campaign}: accepted ${n}, ${reportedPer.get(campaign) ?? 0} in its report`);
  }

  const unexpectedNumbers = [...requestsOf.keys()].filter((n) => !input.inputNumbers.has(n));
  let duplicates = 0;
  for (const count of requestsOf.values()) duplicates += count - 1;
  const peak = busiestSecond(input.received.map((r) => r.at));
  const requested = (numbers: readonly string[]) => numbers.filter((n) => requestsOf.has(n)).length;

  return {
    accepted,
    byStatus,
    lost,
    lostExamples,
    unexpected: unexpectedNumbers.length,
    unexpectedExamples: unexpectedNumbers.slice(0, 10),
    duplicates,
    duplicateBound: input.kills.reduce((sum, k) => sum + k.inFlightBound, 0),
    busiestSecond: peak.count,
    busiestAt: peak.at,
    busiestTenths: tenths(input.received, peak.at),
    busiestTenthsBefore: tenths(input.received, peak.at - 1_000),
    rateLimit: Math.floor(1.1 * input.sendRate),
    suppressedRequested: requested(input.suppressed),
    quietRequested: requested(input.quiet),
    failed: byStatus.failed ?? 0,
    requests: input.received.length,
    undrained: input.undrained,
  };
}

/** Arrivals in each 100 ms of the second from `from`. */
function tenths(received: readonly { at: number }[], from: number): number[] {
  return Array.from(
    { length: 10 },
    (_, k) => received.filter((r) => r.at >= from + k * 100 && r.at < from + (k + 1) * 100).length,
  );
}

/** The pass/fail lines of a run, in the order they are printed. */
export function chaosChecks(f: ChaosFigures): ChaosCheck[] {
  const line = (name: string, value: number | string, limit: string, ok: boolean): ChaosCheck => ({
    name,
    value: String(value),
    limit,
    ok,
  });
  return [
    line(
      'drained (every campaign and call terminal)',
      f.undrained.length === 0 ? 'yes' : f.undrained.join(', '),
      'yes',
      f.undrained.length === 0,
    ),
    line('lost', f.lost, '0', f.lost === 0),
    line('unexpected numbers', f.unexpected, '0', f.unexpected === 0),
    line('duplicates', f.duplicates, `≤ ${f.duplicateBound}`, f.duplicates <= f.duplicateBound),
    line('busiest 1-s window', f.busiestSecond, `≤ ${f.rateLimit}`, f.busiestSecond <= f.rateLimit),
    line('suppressed numbers requested', f.suppressedRequested, '0', f.suppressedRequested === 0),
    line('quiet-hours recipients requested', f.quietRequested, '0', f.quietRequested === 0),
    line('failed', f.failed, '0', f.failed === 0),
  ];
}

/** A plain-text table of `checks` (name, value, limit, ok / FAIL). */
export function checksTable(checks: readonly ChaosCheck[]): string {
  const head = { name: 'check', value: 'value', limit: 'limit', ok: true };
  const w = (pick: (c: ChaosCheck) => string) => Math.max(...[head, ...checks].map((c) => pick(c).length));
  const [wn, wv, wl] = [w((c) => c.name), w((c) => c.value), w((c) => c.limit)];
  const row = (c: ChaosCheck, verdict: string) =>
    `${c.name.padEnd(wn)}  ${c.value.padStart(wv)}  ${c.limit.padStart(wl)}  ${verdict}`.trimEnd();
  return [row(head, ''), ...checks.map((c) => row(c, c.ok ? 'ok' : 'FAIL'))].join('\n');
}
