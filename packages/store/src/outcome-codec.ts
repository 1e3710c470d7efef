import { clipBytes } from '@sobot/schema';

/**
 * One recipient's outcome as stored in its chunk's outcome hash: `kind|attempts.rounds|ts|wamid|code|message`.
 * kind: `s` sent, `f` failed, `k` skipped (all three terminal), `r` retrying (the last transient error).
 * The message comes last so that it may contain `|`; it is clipped to 1 KiB (it comes from outside, SPEC §22).
 *
 * Contract with the Lua scripts: a stored outcome begins with its kind letter, and that letter is all they read
 * of it; codes and messages reach them as separate arguments (see encodeOutcome's callers in ledger.ts).
 */
export type OutcomeKind = 's' | 'f' | 'k' | 'r';

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

/** The code as stored (a `|` in it would end the field early; an upstream's code is clipped like its message). */
export function storedCode(code: string): string {
  return clipBytes(code.includes('|') ? code.replace(/\|/g, '/') : code, 64);
}

export function encodeOutcome(o: Outcome): string {
  return `${o.kind}|${o.attempts}.${o.rounds}|${o.at}|${o.wamid}|${storedCode(o.code)}|${clipBytes(o.message)}`;
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
  return o !== undefined && o.kind !== 'r';
}

/** A failed outcome put back to pending (retry-failed): it keeps its request count and gets fresh rounds. */
export function retryingAgain(o: Outcome, at: number): Outcome {
  return { kind: 'r', attempts: o.attempts, rounds: 0, at, wamid: '', code: '', message: '' };
}
