import { DAY_MS } from './ids';

/** The furthest ahead a send may be scheduled (SPEC §10). */
export const SEND_AT_MAX_DAYS = 90;

const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(\.\d+)?(?:[Zz]|([+-])(\d{2}):(\d{2}))$/;

export type SendAtResult = { ok: true; at: number } | { ok: false; message: string };

const daysIn = (year: number, month: number) => new Date(Date.UTC(year, month, 0)).getUTCDate();

/**
 * Why the fields of an RFC 3339 match do not name a real instant, or undefined when they do. `Date.parse` rolls
 * `02-30` over into March and takes `24:00`: each field is checked against the calendar instead. A leap second
 * (`:60`) is refused too: no clock here can wait for it.
 */
function calendarProblem(m: RegExpExecArray): string | undefined {
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) return `has no month ${m[2]}`;
  if (day < 1 || day > daysIn(year, month)) return `has no day ${m[3]} in ${m[1]}-${m[2]}`;
  if (hour > 23 || minute > 59 || second > 59) return `has no time ${m[4]}:${m[5]}:${m[6]}`;
  if (m[8] !== undefined && (Number(m[9]) > 23 || Number(m[10]) > 59)) return `has no offset ${m[8]}${m[9]}:${m[10]}`;
  return undefined;
}

/**
 * `send_at` as an epoch ms: RFC 3339 with an offset (`2026-12-24T09:00:00+05:30` or `…Z`) naming a real calendar
 * time (`2027-02-30` is refused, never read as 2 March); a time in the past means now (0); more than
 * SEND_AT_MAX_DAYS ahead is refused.
 */
export function parseSendAt(text: string, now = Date.now()): SendAtResult {
  const v = text.trim();
  const m = RFC3339.exec(v);
  if (!m) {
    return { ok: false, message: 'must be an RFC 3339 time with an offset, e.g. 2026-12-24T09:00:00+05:30' };
  }
  const problem = calendarProblem(m);
  if (problem) return { ok: false, message: `is not a real date and time: ${v.slice(0, 40)} ${problem}` };
  const at = Date.parse(v);
  if (Number.isNaN(at)) return { ok: false, message: 'is not a valid date and time' };
  if (at - now > SEND_AT_MAX_DAYS * DAY_MS) return { ok: false, message: `must be within ${SEND_AT_MAX_DAYS} days` };
  return { ok: true, at: at <= now ? 0 : at };
}
