/**
 * One recipient's outcome as stored in its chunk's outcome hash: `kind|attempts|ts|wamid|code|message`.
 * kind: `s` sent, `f` failed (terminal), `r` retrying (the last transient error; not terminal).
 * The message comes last so that it may contain `|`.
 */
export type OutcomeKind = 's' | 'f' | 'r';

export interface Outcome {
  kind: OutcomeKind;
  /** Requests sent to the API for this recipient so far (429 answers do not count). */
  attempts: number;
  /** Rounds of retries used (each round is one BullMQ-level attempt: up to 3 requests). */
  rounds: number;
  at: number;
  wamid: string;
  code: string;
  message: string;
}

export function encodeOutcome(o: Outcome): string {
  return `${o.kind}|${o.attempts}.${o.rounds}|${o.at}|${o.wamid}|${o.code.replace(/\|/g, '/')}|${o.message}`;
}

export function decodeOutcome(raw: string): Outcome {
  const parts = raw.split('|');
  const [attempts = '0', rounds = '0'] = (parts[1] ?? '0').split('.');
  return {
    kind: (parts[0] ?? 'r') as OutcomeKind,
    attempts: Number(attempts),
    rounds: Number(rounds),
    at: Number(parts[2] ?? 0),
    wamid: parts[3] ?? '',
    code: parts[4] ?? '',
    message: parts.slice(5).join('|'),
  };
}

export function isTerminal(o: Outcome | undefined): boolean {
  return o !== undefined && (o.kind === 's' || o.kind === 'f');
}
