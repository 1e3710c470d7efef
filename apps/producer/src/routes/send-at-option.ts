import { parseSendAt } from '@sobot/schema';
import { ApiError } from '../errors';

/** The `send_at` option of an upload or a message call, as ms (undefined: at once); 400 when it is invalid. */
export function sendAtOption(text: string | undefined): number | undefined {
  if (text === undefined || text.trim() === '') return undefined;
  const r = parseSendAt(text);
  if (!r.ok) throw new ApiError('INVALID_REQUEST', `send_at ${r.message}`, [{ field: 'send_at', message: r.message }]);
  return r.at || undefined;
}
