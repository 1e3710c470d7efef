import { retryClass } from '@sobot/sobot-client';
import type { CampaignStatus, ControlResult as ApiControlResult, RetryInclude, RetryLeftReason } from '@sobot/schema';
import type { CampaignDeps } from './deps';

/** What retry-failed answers besides the campaign view (see controlResultSchema). */
export type RetryAnswer = Required<Pick<ApiControlResult, 'reset' | 'include' | 'retried' | 'left' | 'by_code'>> & {
  status: CampaignStatus;
};

/**
 * retry-failed (SPEC §20, §13): puts back to pending the failures that a new request can fix — the send policy's
 * retryable ones (policy.ts decides from each failure's code) — and leaves the permanent ones (`permanent`) and
 * the 200s without a wamid (`no_wamid`: they may have gone out) unless `include` is `all`. A 131049 within 24 h
 * is left either way (`marketing_limit`). The answer says what it took and what it left, by reason and by code.
 */
export async function retryFailed(
  deps: CampaignDeps,
  id: string,
  include: RetryInclude = 'retryable',
): Promise<RetryAnswer> {
  const leave = include === 'all' ? undefined : retryLeaveReason;
  const { status, retry } = await deps.store.control.retryFailed(id, { leave });
  const tally = retry ?? { retried: 0, left: {}, byCode: {} };
  const reasonOf = (r: string | undefined) => r as RetryLeftReason | undefined;
  return {
    status,
    include,
    reset: tally.retried,
    retried: tally.retried,
    left: {
      permanent: tally.left.permanent ?? 0,
      no_wamid: tally.left.no_wamid ?? 0,
      marketing_limit: tally.left.marketing_limit ?? 0,
    },
    by_code: Object.fromEntries(
      Object.entries(tally.byCode).map(([code, c]) => [
        code,
        { retried: c.retried, left: c.left, ...(c.reason ? { reason: reasonOf(c.reason) } : {}) },
      ]),
    ),
  };
}

/** Why a failure with `code` is left by a default retry-failed; undefined when it is retried. */
export function retryLeaveReason(code: string): Exclude<RetryLeftReason, 'marketing_limit'> | undefined {
  const cls = retryClass(code);
  return cls === 'retry' ? undefined : cls;
}
