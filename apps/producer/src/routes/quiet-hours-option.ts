import { parseQuietHours, type QuietSpan } from '@sobot/schema';
import { ApiError } from '../errors';

/**
 * The `quiet_hours` option of an upload or a message call: absent → `fallback` (QUIET_HOURS for uploads, none for
 * messages); `off` or empty → none; else the span. 400 naming the option when it is invalid.
 */
export function quietHoursOption(text: string | undefined, fallback: QuietSpan | null): QuietSpan | undefined {
  if (text === undefined) return fallback ?? undefined;
  const r = parseQuietHours(text);
  if (!r.ok) {
    throw new ApiError('INVALID_REQUEST', `quiet_hours ${r.message}`, [{ field: 'quiet_hours', message: r.message }]);
  }
  return r.span ?? undefined;
}
