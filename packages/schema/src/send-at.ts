/** The furthest ahead a send may be scheduled (SPEC §10). */
export const SEND_AT_MAX_DAYS = 90;

const RFC3339 = /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/;

export type SendAtResult = { ok: true; at: number } | { ok: false; message: string };

/**
 * `send_at` as an epoch ms: RFC 3339 with an offset (`2026-12-24T09:00:00+05:30` or `…Z`); a time in the past
 * means now (0); more than SEND_AT_MAX_DAYS ahead is refused.
 */
export function parseSendAt(text: string, now = Date.now()): SendAtResult {
  const v = text.trim();
  if (!RFC3339.test(v)) {
    return { ok: false, message: 'must be an RFC 3339 time with an offset, e.g. 2026-12-24T09:00:00+05:30' };
  }
  const at = Date.parse(v);
  if (Number.isNaN(at)) return { ok: false, message: 'is not a valid date and time' };
  if (at - now > SEND_AT_MAX_DAYS * 86_400_000)
    return { ok: false, message: `must be within ${SEND_AT_MAX_DAYS} days` };
  return { ok: true, at: at <= now ? 0 : at };
}
