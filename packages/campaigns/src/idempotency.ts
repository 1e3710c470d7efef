import { IDEMPOTENCY_LEASE_MS } from '@sobot/store';
import type { CampaignDeps } from './deps';
import { IdempotencyInProgressError } from './errors';

/** One call that carries an `Idempotency-Key`, as `once` runs it. */
export interface IdempotentCall<T> {
  key: string;
  /** The campaign this call creates if it is the first with its key. */
  campaignId: string;
  /**
   * The fingerprint of the request as known before its body is read (an upload's options; a message call's whole
   * body), without `:`. A later call with another is refused.
   */
  request: string;
  /**
   * What a later call does while the first is still creating: `refuse` (409 IDEMPOTENCY_IN_PROGRESS with
   * Retry-After, for an upload that may stream for minutes) or `wait` for its campaign (a short message call).
   */
  whileHeld: 'refuse' | 'wait';
  /**
   * Creates the campaign. `fence()` is awaited right before the campaign becomes visible: it throws when the key is
   * no longer this call's (its lease lapsed while it worked). Returns the answer, the fingerprint of the content it
   * read on the way (an upload's file; '' for none) and the answer to store for replays ('' to rebuild it).
   */
  create(fence: () => Promise<void>): Promise<{ answer: T; content?: string; stored?: string }>;
  /** A later call: reads what it still has to send and fingerprints it (compared with the first call's). */
  content?(): Promise<string>;
  /** A later call's answer: the first call's campaign and what it stored. */
  replay(campaignId: string, stored: string | undefined): Promise<T>;
  /** The refusal of a later call whose request (or content) differs from the first's. */
  conflict(campaignId: string, what: 'request' | 'content'): Error;
}

/**
 * The one `Idempotency-Key` protocol, for uploads and messages alike: the same key never creates two campaigns,
 * whether its calls race or a producer dies half-way.
 *
 * - The key is claimed for the campaign this call would create, with the request's fingerprint. The first call
 *   creates it; its claim is a lease renewed while it works (a third of the lease at a time), so a producer that
 *   dies frees the key; the fence checks the claim once more right before the campaign appears. Done, the key
 *   is settled with `<request>:<content>` and the answer to replay; failed, it is released, unless the campaign
 *   exists after all (the key then stays with it).
 * - A later call reads its content to its end whatever the answer (a client still sending gets one), then: another
 *   request or content is a conflict (409 IDEMPOTENCY_KEY_REUSED); a first call still at work is refused or
 *   waited for (`whileHeld`): a claim whose campaign exists is queued again if its call died before queueing it,
 *   one whose campaign never appears within the lease is taken over by the next claim; a settled key replays.
 */
export async function once<T>(deps: CampaignDeps, call: IdempotentCall<T>): Promise<T> {
  let content: string | undefined;
  for (;;) {
    const held = await deps.store.idempotency.acquire(call.key, call.campaignId, `${call.request}:`);
    if (held.fresh) return first(deps, call);
    content ??= call.content ? await call.content() : '';
    // `<request>:<content>`; a key stored before the two had a name holds the request alone.
    const [request, firstContent = ''] = held.fingerprint.split(':');
    if (request !== call.request) throw call.conflict(held.campaignId, 'request');
    if (!held.committed) {
      if (call.whileHeld === 'refuse') throw new IdempotencyInProgressError();
      if (await deps.store.campaigns.waitUntilExists(held.campaignId, IDEMPOTENCY_LEASE_MS)) {
        // Not settled: its call may have died between writing the campaign and queueing it (found by pnpm chaos).
        await deps.store.control.ensureQueued(held.campaignId);
        return call.replay(held.campaignId, held.answer);
      }
      continue; // No campaign after a whole lease: the claim has lapsed, the next acquire takes the key over.
    }
    if (firstContent && content && firstContent !== content) throw call.conflict(held.campaignId, 'content');
    return call.replay(held.campaignId, held.answer);
  }
}

async function first<T>(deps: CampaignDeps, call: IdempotentCall<T>): Promise<T> {
  const keys = deps.store.idempotency;
  const renewal = setInterval(
    () => void keys.renew(call.key, call.campaignId).catch(() => undefined),
    IDEMPOTENCY_LEASE_MS / 3,
  );
  renewal.unref();
  try {
    const done = await call.create(async () => {
      clearInterval(renewal);
      if (!(await keys.renew(call.key, call.campaignId))) throw new IdempotencyInProgressError();
    });
    await keys.settle(call.key, call.campaignId, `${call.request}:${done.content ?? ''}`, done.stored ?? '');
    return done.answer;
  } catch (err) {
    // Freed for a retry unless the campaign was made after all (only settling the key failed).
    const made = await deps.store.campaigns.waitUntilExists(call.campaignId, 0).catch(() => true);
    if (!made) await keys.release(call.key, call.campaignId).catch(() => undefined);
    throw err;
  } finally {
    clearInterval(renewal);
  }
}
