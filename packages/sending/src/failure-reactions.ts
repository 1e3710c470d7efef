import { SEND_POLICY } from '@sobot/schema';
import { RateLimitedError, SendingBlockedError, UnavailableError, type RejectedError } from '@sobot/sobot-client';
import type { DeliverDeps } from './deliver';
import type { SenderLane } from './sender-pool';

/** The upstream holds everyone (429, a block): not this message's fault, not its attempt. */
export function isHeld(err: unknown): boolean {
  return err instanceof RateLimitedError || err instanceof SendingBlockedError;
}

/**
 * What the whole worker does after a failed request, before the message's next request: on 429 every worker
 * waits Retry-After; on a block (wrong key, blocked account) sending pauses system-wide; on upstream trouble
 * the outage breaker counts it and may pause sending system-wide.
 */
export async function reactToFailure(d: DeliverDeps, error: Error, lane?: SenderLane): Promise<void> {
  // Several senders (SPEC §15): a throttle slows that sender only; a block pauses that sender only.
  if (lane && d.pool && !d.pool.single && (error instanceof RateLimitedError || error instanceof SendingBlockedError)) {
    await reactForSender(d, error, lane);
    return;
  }
  if (error instanceof RateLimitedError) {
    d.metrics.inc('rate_limited');
    const wait = error.retryAfterMs ?? SEND_POLICY.defaultRetryAfterMs;
    await d.rate.delay(wait);
    d.gate.reschedule();
    d.log.debug({ waitMs: wait, code: error.code }, 'upstream rate-limited us; holding every worker');
  } else if (error instanceof SendingBlockedError) {
    const reason = `upstream refused to send (${error.code}: ${error.message}); fix the cause, then resume`;
    await d.system.pause(error.code, reason, error.probeEveryMs);
    d.log.error({ code: error.code, upstream: error.message }, 'sending paused system-wide: the upstream refuses us');
  } else if (error instanceof UnavailableError) {
    d.metrics.inc('retried');
    if (d.breaker.record(true)) {
      const share = Math.round(d.breaker.failureRatio * 100) || SEND_POLICY.outageBreaker.threshold * 100;
      const reason = `upstream outage: ${share}%+ of recent requests failed (last: ${error.code} ${error.message})`;
      await d.system.pause('UPSTREAM_OUTAGE', reason, SEND_POLICY.probeEveryMs.outage);
      d.log.error({ code: error.code }, 'outage breaker tripped: sending paused system-wide until a probe succeeds');
    }
  }
}

/**
 * A refusal about the number itself (SPEC §13): 131047 closes its window, 131050 suppresses it (source `upstream`:
 * a customer's START lifts it), 131049 keeps retry-failed away from it for 24 h. Written before the outcome; a failed
 * write is logged, the outcome stands.
 */
export async function reactForNumber(d: DeliverDeps, err: RejectedError, number: string): Promise<void> {
  try {
    if (err.effect === 'close-window') await d.audience.closeWindows([number]);
    else if (err.effect === 'suppress') await d.audience.suppress([number], err.code, Date.now(), 'upstream');
    else await d.audience.mark131049([number]);
  } catch (e) {
    d.log.warn({ code: err.code, err: e instanceof Error ? e.message : String(e) }, 'number effect not written');
  }
}

/** A throttle (130429, 429) holds this sender's rate; 131048 halves it for a while; other blocks pause it. */
async function reactForSender(d: DeliverDeps, error: Error, lane: SenderLane): Promise<void> {
  if (error instanceof RateLimitedError) {
    d.metrics.inc('rate_limited');
    d.metrics.inc(`sender:${lane.info.id}:throttled`);
    const wait = error.retryAfterMs ?? SEND_POLICY.defaultRetryAfterMs;
    await lane.rate.delay(wait);
    lane.gate?.reschedule();
    d.log.debug({ waitMs: wait, code: error.code, sender: lane.info.id }, 'upstream throttled one sender; it waits');
  } else if (error instanceof SendingBlockedError) {
    if (error.code === '131048') await d.pool!.slow(lane);
    else {
      const reason = `upstream refused sender ${lane.info.id} (${error.code}: ${error.message}); fix, then resume it`;
      await d.pool!.pause(lane, error.code, reason);
    }
  }
}
