/**
 * How the sandbox answered a request, by HTTP status class. '400' covers invalid bodies and upstream
 * codes answered 400 (closed numbers among them); `codes` in the summary counts the upstream codes.
 */
export const OUTCOMES = ['ok', '400', '401', '403', '429', '5xx', 'hang', 'reset'] as const;
export type Outcome = (typeof OUTCOMES)[number];

export interface Received {
  /** ms epoch when the request arrived. */
  at: number;
  /** customer_number as sent ('' when the body had none). */
  number: string;
  outcome: Outcome;
  wamid?: string;
  /** The upstream error code answered, if any. */
  code?: number;
  /** The id of the key pair the request carried (several key pairs configured), else undefined. */
  key?: string;
}

export interface StatsSummary {
  total: number;
  /** Requests answered 200. */
  accepted: number;
  outcomes: Record<Outcome, number>;
  /** Upstream error code → requests answered with it. */
  codes: Record<string, number>;
}

export interface SandboxStats extends StatsSummary {
  /** customer_number → sends answered 200. */
  byNumber: Record<string, number>;
  /** customer_number → wamids answered, in order. */
  wamids: Record<string, string[]>;
  /** Every request, in arrival order. */
  received: Received[];
}

function zeroOutcomes(): Record<Outcome, number> {
  return { ok: 0, '400': 0, '401': 0, '403': 0, '429': 0, '5xx': 0, hang: 0, reset: 0 };
}

/** What the API really received. Maps on the hot path; plain records only in snapshots. */
export class StatsRecorder {
  private outcomes = zeroOutcomes();
  private received: Received[] = [];
  private wamids = new Map<string, string[]>();
  private codes = new Map<number, number>();
  /** The key pair of the request being decided (set by the message API before it records). */
  key: string | undefined;

  record(at: number, number: string, outcome: Outcome, wamid?: string, code?: number): void {
    this.outcomes[outcome]++;
    // Same property order every time keeps the entries one hidden class.
    this.received.push({ at, number, outcome, wamid, code, key: this.key });
    this.key = undefined;
    if (code !== undefined) this.codes.set(code, (this.codes.get(code) ?? 0) + 1);
    if (wamid === undefined) return;
    const list = this.wamids.get(number);
    if (list) list.push(wamid);
    else this.wamids.set(number, [wamid]);
  }

  summary(): StatsSummary {
    const codes: Record<string, number> = {};
    for (const [code, count] of this.codes) codes[code] = count;
    return { total: this.received.length, accepted: this.outcomes.ok, outcomes: { ...this.outcomes }, codes };
  }

  perNumber(): Pick<SandboxStats, 'byNumber' | 'wamids'> {
    const byNumber: Record<string, number> = {};
    const wamids: Record<string, string[]> = {};
    for (const [number, list] of this.wamids) {
      byNumber[number] = list.length;
      wamids[number] = list.slice();
    }
    return { byNumber, wamids };
  }

  /** A copy, so later requests do not change what a test is looking at. */
  snapshot(): SandboxStats {
    return { ...this.summary(), ...this.perNumber(), received: this.received.slice() };
  }

  reset(): void {
    this.outcomes = zeroOutcomes();
    this.received = [];
    this.wamids = new Map();
    this.codes = new Map();
  }
}
