/**
 * Quiet hours (SPEC §10): a span of local wall-clock time, `HH:MM-HH:MM`, inside which a recipient is not
 * messaged. The span includes its start and excludes its end; a start after the end wraps midnight
 * (`21:00-08:00`). Local time is read with Intl in the recipient's IANA zone, so daylight saving time is the
 * zone's own.
 */
import { DAY_MS } from './ids';

export interface QuietSpan {
  /** Minutes after local midnight. */
  start: number;
  end: number;
}

export type QuietHoursParse = { ok: true; span: QuietSpan | null } | { ok: false; message: string };

const SPAN = /^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$/;

/** `21:00-08:00` → the span; `off` or empty → null (no quiet hours); anything else → why not. */
export function parseQuietHours(text: string): QuietHoursParse {
  const t = text.trim();
  if (t === '' || t.toLowerCase() === 'off') return { ok: true, span: null };
  const m = SPAN.exec(t);
  const bad = `must be HH:MM-HH:MM in 24-hour time, e.g. 21:00-08:00, or off (got "${t.slice(0, 40)}")`;
  if (!m) return { ok: false, message: bad };
  const [h1, m1, h2, m2] = m.slice(1).map(Number) as [number, number, number, number];
  if (h1 > 23 || h2 > 23 || m1 > 59 || m2 > 59) return { ok: false, message: bad };
  const span = { start: h1 * 60 + m1, end: h2 * 60 + m2 };
  if (span.start === span.end) return { ok: false, message: `must not start and end at the same time (got "${t}")` };
  return { ok: true, span };
}

const two = (n: number) => String(n).padStart(2, '0');
const hhmm = (min: number) => `${two(Math.floor(min / 60))}:${two(min % 60)}`;

/** The span as written in the campaign view: `21:00-08:00`. */
export function formatQuietHours(span: QuietSpan): string {
  return `${hhmm(span.start)}-${hhmm(span.end)}`;
}

/** Whether a local time (minutes after midnight) is inside the span. */
export function inQuietSpan(span: QuietSpan, minute: number): boolean {
  return span.start < span.end ? minute >= span.start && minute < span.end : minute >= span.start || minute < span.end;
}

const formatters = new Map<string, Intl.DateTimeFormat | null>();

function formatter(zone: string): Intl.DateTimeFormat | null {
  let f = formatters.get(zone);
  if (f !== undefined) return f;
  try {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
  } catch {
    f = null;
  }
  formatters.set(zone, f);
  return f;
}

/**
 * The IANA name Intl knows `name` by (`asia/calcutta` → `Asia/Calcutta`), or undefined when it is no zone. Only
 * `Area/Location` names and UTC / GMT: ICU also takes abbreviations, and reads them its own way (BST as
 * Bangladesh, IST as India), which is not what everyone who writes them means.
 */
export function canonicalTimeZone(name: string): string | undefined {
  const t = name.trim();
  if (t.length > 64 || !(ZONE_NAME.test(t) || /^(?:utc|gmt)$/i.test(t))) return undefined;
  return formatter(t)?.resolvedOptions().timeZone;
}

const ZONE_NAME = /^[A-Za-z]+(?:\/[A-Za-z0-9_+-]+)+$/;

/** Local wall-clock time at `ms` in `zone`, as if it were UTC (ms). */
function wallClock(f: Intl.DateTimeFormat, ms: number): number {
  const p: Record<string, number> = {};
  for (const { type, value } of f.formatToParts(ms)) if (type !== 'literal') p[type] = Number(value);
  return Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!);
}

/**
 * Undefined when `now` is outside the span in `zone`; else the first instant (ms) after which it is outside
 * again: the span's end in that zone's local time, daylight saving time included (an end inside a
 * spring-forward gap is read as the same wall time after the jump). An unknown zone is read as UTC.
 */
export function quietUntil(span: QuietSpan, zone: string, now: number): number | undefined {
  const f = formatter(zone) ?? formatter('UTC')!;
  const second = Math.floor(now / 1000) * 1000;
  const wall = wallClock(f, second);
  const minute = Math.floor((wall % DAY_MS) / 60_000);
  if (!inQuietSpan(span, minute)) return undefined;
  const midnight = wall - (wall % DAY_MS);
  // The end is later today, or (wrapping span, evening part) tomorrow.
  const endWall = midnight + span.end * 60_000 + (minute >= span.end ? DAY_MS : 0);
  // Wall time → instant: subtract the zone's offset, read again at the estimate (the offset may change between).
  let t = endWall - (wall - second);
  t = endWall - (wallClock(f, t) - t);
  // A fall-back hour read twice, or an end inside a gap: step to where the wall clock is at or past the end.
  const at = wallClock(f, t);
  if (at < endWall) t += endWall - at;
  return Math.max(t, now + 1);
}

/**
 * The conservative answer for several candidate zones (a number that leaves its zone open): undefined when
 * `now` is outside the span in every zone; else the first instant found at which it is outside in all of them.
 * When the zones leave no such instant (a long span over a country of many zones), the first zone decides, so
 * that a recipient never waits for ever.
 */
export function quietUntilAll(span: QuietSpan, zones: readonly string[], now: number): number | undefined {
  if (zones.length === 1) return quietUntil(span, zones[0]!, now);
  let t = now;
  for (let round = 0; round <= zones.length + 1; round += 1) {
    let latest = t;
    for (const zone of zones) latest = Math.max(latest, quietUntil(span, zone, t) ?? t);
    if (latest === t) return t === now ? undefined : t;
    t = latest;
  }
  return zones.length > 0 ? quietUntil(span, zones[0]!, now) : undefined;
}
