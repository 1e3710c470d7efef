import pRetry from 'p-retry';
import type { SobotImageMessage } from '@sobot/schema';
import {
  DeferredError,
  RateLimitedError,
  RejectedError,
  SendingBlockedError,
  UnavailableError,
  POLICY,
  type SobotClient,
} from '@sobot/sobot-client';
import { pauseSystem, resumeSystem, type Outcome, type SendRate, type StoreContext } from '@sobot/store';
import type { Logger } from 'pino';
import type { OutageBreaker } from './breaker';
import type { MetricsRecorder } from './metrics-recorder';
import type { SendGate } from './send-gate';
import { StoppedError } from './stopped';

/** Retries inside one round (attempt), before the message waits for the next round. */
export const RETRIES_PER_ROUND = 2;

export interface DeliverDeps {
  ctx: StoreContext;
  client: SobotClient;
  gate: SendGate;
  rate: SendRate;
  breaker: OutageBreaker;
  metrics: MetricsRecorder;
  log: Logger;
  maxAttempts: number;
}

/** A retrying outcome that should wait at least this long before its next round. */
export type RoundOutcome = Outcome & { notBeforeMs?: number };

/**
 * One round of sending one message: a slot of the global rate per request, p-retry with jittered
 * backoff for upstream trouble, the whole queue held on 429 without spending the attempt, sending
 * paused system-wide on a wrong key or an outage. Returns the outcome to record; throws StoppedError
 * when the chunk stops before the message could be sent.
 */
export async function deliverRound(
  d: DeliverDeps,
  message: SobotImageMessage,
  prev: Outcome | undefined,
  signal: AbortSignal,
): Promise<RoundOutcome> {
  let attempts = prev?.attempts ?? 0;
  const rounds = (prev?.rounds ?? 0) + 1;
  const outcome = (kind: Outcome['kind'], wamid: string, code: string, msg: string): Outcome => ({
    kind,
    attempts,
    rounds,
    at: Date.now(),
    wamid,
    code,
    message: msg,
  });

  const attempt = async () => {
    const slot = await d.gate.take(signal);
    // Paused, cancelled or shutting down while waiting for the slot: do not send.
    if (signal.aborted) throw new StoppedError(signal.reason);
    attempts += 1;
    const started = performance.now();
    try {
      const sent = await d.client.send(message);
      d.metrics.latency(performance.now() - started);
      d.breaker.record(false);
      if (slot.probe && (await resumeSystem(d.ctx)))
        d.log.warn('probe message went through: sending resumed system-wide');
      return sent;
    } catch (err) {
      if (err instanceof RateLimitedError || err instanceof SendingBlockedError) attempts -= 1;
      throw err;
    }
  };

  try {
    const sent = await pRetry(attempt, {
      retries: RETRIES_PER_ROUND,
      minTimeout: 200,
      maxTimeout: 2_000,
      factor: 2,
      randomize: true,
      // No `signal` here: p-retry would discard a send that succeeded while the chunk was stopping.
      // 429s and blocks wait on the gate (the whole queue waits), so they never use up the budget.
      shouldConsumeRetry,
      shouldRetry,
      onFailedAttempt: async ({ error }) => {
        if (error instanceof RateLimitedError) {
          d.metrics.inc('rate_limited');
          const wait = error.retryAfterMs ?? POLICY.defaultRetryAfterMs;
          await d.rate.delay(wait);
          d.gate.reschedule();
          d.log.debug({ waitMs: wait, code: error.code }, 'upstream rate-limited us; holding every worker');
        } else if (error instanceof SendingBlockedError) {
          await pauseSystem(
            d.ctx,
            error.code,
            `upstream refused to send (${error.code}: ${error.message}); fix the cause, then resume`,
            error.probeEveryMs,
          );
          d.log.error(
            { code: error.code, upstream: error.message },
            'sending paused system-wide: the upstream refuses our requests',
          );
        } else if (error instanceof UnavailableError) {
          d.metrics.inc('retried');
          if (d.breaker.record(true)) {
            const reason = `upstream outage: ${Math.round(d.breaker.failureRatio * 100) || 60}%+ of recent requests failed (last: ${error.code} ${error.message})`;
            await pauseSystem(d.ctx, 'UPSTREAM_OUTAGE', reason, 5_000);
            d.log.error(
              { code: error.code },
              'outage breaker tripped: sending paused system-wide until a probe succeeds',
            );
          }
        }
      },
    });
    d.metrics.inc('sent');
    return outcome('s', sent.wamid, '', '');
  } catch (err) {
    if (err instanceof StoppedError || signal.aborted)
      throw err instanceof StoppedError ? err : new StoppedError(signal.reason);
    if (err instanceof RejectedError) {
      d.metrics.inc(`failed:${err.code}`);
      return outcome('f', '', err.code, err.message);
    }
    if (err instanceof DeferredError) {
      if (rounds >= d.maxAttempts) return failed(d, outcome, err.code, err.message);
      return { ...outcome('r', '', err.code, err.message), notBeforeMs: err.delayMs };
    }
    const code = err instanceof UnavailableError ? err.code : 'INTERNAL';
    const msg = err instanceof Error ? err.message : String(err);
    if (rounds >= d.maxAttempts) return failed(d, outcome, code, msg);
    return outcome('r', '', code, msg);
  }
}

/** Only upstream trouble (5xx, timeouts, resets) uses up the round's retries. */
const shouldConsumeRetry = ({ error }: { error: Error }) => error instanceof UnavailableError;
const shouldRetry = ({ error }: { error: Error }) =>
  error instanceof UnavailableError || error instanceof RateLimitedError || error instanceof SendingBlockedError;

function failed(
  d: DeliverDeps,
  outcome: (k: Outcome['kind'], w: string, c: string, m: string) => Outcome,
  code: string,
  msg: string,
): Outcome {
  d.metrics.inc(`failed:${code}`);
  return outcome('f', '', code, msg);
}
