import pRetry from 'p-retry';
import { SEND_POLICY, type SobotImageMessage } from '@sobot/schema';
import { DeferredError, RejectedError, UnavailableError, type SobotClient } from '@sobot/sobot-client';
import type { Audience, Outcome, SendRate, SystemPause } from '@sobot/store';
import type { Logger } from 'pino';
import type { OutageBreaker } from './breaker';
import type { MetricsRecorder } from './metrics-recorder';
import { isHeld, reactForNumber, reactToFailure } from './failure-reactions';
import type { SendGate } from './send-gate';
import { SENDER_POLICY, type SenderLane, type SenderPool } from './sender-pool';
import { StoppedError } from './stopped';

export interface DeliverDeps {
  client: SobotClient;
  gate: SendGate;
  rate: SendRate;
  system: SystemPause;
  breaker: OutageBreaker;
  metrics: MetricsRecorder;
  log: Logger;
  maxAttempts: number;
  /** Who may be messaged: refusals that say something about the number change it (SPEC §13). */
  audience: Audience;
  /** The senders (SPEC §15); absent: the client's own key pair, as before. */
  pool?: SenderPool;
}

/** The message's sender was paused while it waited or was refused: it goes out through another sender. */
export class SenderMovedError extends Error {
  constructor(readonly sender: string) {
    super(`sender ${sender} was paused; the message moves to another sender`);
  }
}

/** Code of a retrying outcome whose sender was paused (it does not spend a round). */
export const SENDER_PAUSED = 'SENDER_PAUSED';

/** A retrying outcome that should wait at least this long before its next round. */
export type RoundOutcome = Outcome & { notBeforeMs?: number };

/** What one round has done so far: the request count goes on from the message's earlier rounds. */
interface Round {
  attempts: number;
  rounds: number;
}

/**
 * One round of sending one message: a slot of the global rate per request, p-retry with jittered backoff for
 * upstream trouble (SEND_POLICY.round), the failure reactions of failure-reactions.ts between requests. Returns
 * the outcome to record; throws StoppedError when the chunk stops before the message could be sent.
 */
export async function deliverRound(
  d: DeliverDeps,
  message: SobotImageMessage,
  prev: Outcome | undefined,
  signal: AbortSignal,
  priority = false,
  lane?: SenderLane,
): Promise<RoundOutcome> {
  const round: Round = { attempts: prev?.attempts ?? 0, rounds: (prev?.rounds ?? 0) + 1 };
  try {
    const sent = await pRetry(() => sendOnce(d, message, round, signal, priority, lane), {
      ...RETRY_OPTIONS,
      // No `signal` here: p-retry would discard a send that succeeded while the chunk was stopping.
      onFailedAttempt: ({ error }) => reactToFailure(d, error, lane),
    });
    d.metrics.inc('sent');
    return outcome(round, 's', sent.wamid, '', '');
  } catch (err) {
    // A refusal for good is final even when the chunk is stopping: asking again would only be refused again.
    if (err instanceof StoppedError || (signal.aborted && !(err instanceof RejectedError))) {
      throw err instanceof StoppedError ? err : new StoppedError(signal.reason);
    }
    if (err instanceof RejectedError && err.effect) await reactForNumber(d, err, message.customer_number);
    return roundEnded(d, round, err, prev);
  }
}

/** One request: wait for a slot of the global rate, send, count the attempt. */
async function sendOnce(
  d: DeliverDeps,
  message: SobotImageMessage,
  round: Round,
  signal: AbortSignal,
  priority: boolean,
  lane: SenderLane | undefined,
) {
  // The sender's own rate first (SPEC §15), then the global one: a global slot is never held while the sender waits.
  if (lane) await takeSenderSlot(lane, signal, priority);
  const slot = await d.gate.take(signal, priority);
  // Paused, cancelled or shutting down while waiting for the slot: do not send.
  if (signal.aborted) throw new StoppedError(signal.reason);
  if (lane?.paused.signal.aborted) throw new SenderMovedError(lane.info.id);
  round.attempts += 1;
  const started = performance.now();
  if (lane) {
    lane.inFlight += 1;
    if (!d.pool?.single) d.metrics.inc(`sender:${lane.info.id}:requests`);
  }
  try {
    const sent = await d.client.send(message, lane?.credentials);
    d.metrics.latency(performance.now() - started);
    d.breaker.record(false);
    if (slot.probe && (await d.system.resume())) d.log.warn('probe message went through: sending resumed system-wide');
    return sent;
  } catch (err) {
    // A 429 or a block holds everyone on the gate: it is not this message's attempt.
    if (isHeld(err)) round.attempts -= 1;
    throw err;
  } finally {
    if (lane) lane.inFlight -= 1;
  }
}

async function takeSenderSlot(lane: SenderLane, signal: AbortSignal, priority: boolean): Promise<void> {
  if (lane.paused.signal.aborted) throw new SenderMovedError(lane.info.id);
  if (!lane.gate) return;
  try {
    await lane.gate.take(AbortSignal.any([signal, lane.paused.signal]), priority);
  } catch (err) {
    if (!signal.aborted && lane.paused.signal.aborted) throw new SenderMovedError(lane.info.id);
    throw err;
  }
}

/**
 * Only upstream trouble (5xx, timeouts, resets) uses up the round's retries; 429s and blocks wait on the gate
 * (the whole queue waits), so they never use up the budget.
 */
const RETRY_OPTIONS = {
  retries: SEND_POLICY.round.retries,
  minTimeout: SEND_POLICY.round.minTimeoutMs,
  maxTimeout: SEND_POLICY.round.maxTimeoutMs,
  factor: SEND_POLICY.round.factor,
  randomize: true,
  shouldConsumeRetry: ({ error }: { error: Error }) => error instanceof UnavailableError,
  shouldRetry: ({ error }: { error: Error }) =>
    !(error instanceof SenderMovedError) && (error instanceof UnavailableError || isHeld(error)),
};

/** The outcome of a round that did not send: failed for good, or retrying in a later round. */
function roundEnded(d: DeliverDeps, round: Round, err: unknown, prev: Outcome | undefined): RoundOutcome {
  if (err instanceof RejectedError) return failed(d, round, err.code, err.message);
  // Not this message's fault: the round is not spent; it goes out through another sender (SPEC §15).
  if (err instanceof SenderMovedError)
    return { ...outcome({ ...round, rounds: round.rounds - 1 }, 'r', '', SENDER_PAUSED, err.message), notBeforeMs: 0 };
  const lastRound = round.rounds >= d.maxAttempts;
  if (err instanceof DeferredError) {
    // The pair rate (131056): retried after 4^n s without spending a round (SPEC §15); n is kept in the message.
    const n = (prev?.code === err.code ? Number(/ \(#(\d+)\)$/.exec(prev.message)?.[1] ?? 0) : 0) + 1;
    if (n > SENDER_POLICY.pairDefer.maxTimes) return failed(d, round, err.code, err.message);
    const notBeforeMs = SENDER_POLICY.pairDefer.baseS ** n * 1000;
    const kept = { ...round, rounds: round.rounds - 1 };
    return { ...outcome(kept, 'r', '', err.code, `${err.message} (#${n})`), notBeforeMs };
  }
  const code = err instanceof UnavailableError ? err.code : 'INTERNAL';
  const msg = err instanceof Error ? err.message : String(err);
  return lastRound ? failed(d, round, code, msg) : outcome(round, 'r', '', code, msg);
}

function outcome(round: Round, kind: Outcome['kind'], wamid: string, code: string, message: string): Outcome {
  return { kind, attempts: round.attempts, rounds: round.rounds, at: Date.now(), wamid, code, message };
}

function failed(d: DeliverDeps, round: Round, code: string, message: string): Outcome {
  d.metrics.inc(`failed:${code}`);
  return outcome(round, 'f', '', code, message);
}
