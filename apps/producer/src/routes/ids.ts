import { z } from 'zod';
import { CAMPAIGN_ID_PATTERN, MESSAGE_ID_PATTERN } from '@sobot/schema';
import { NotFoundError } from '@sobot/store';

/** A campaign id as the API hands it out; anything else names no campaign (404, SPEC §14). */
export const campaignIdParams = z.object({
  id: z.string().regex(CAMPAIGN_ID_PATTERN).describe('campaign id, as returned by POST /v1/campaigns'),
});
/** A message id is `<campaign id>-<index>`; anything else names no message (404). */
export const messageIdParams = z.object({
  id: z.string().regex(MESSAGE_ID_PATTERN).describe('message id, as returned by POST /v1/messages'),
});

/**
 * The id of a path, or a 404 when it cannot name anything: a malformed id is as unknown as a
 * well-formed one that does not exist (SPEC §14), never a 400.
 */
export function pathId(params: z.ZodObject<{ id: z.ZodString }>, raw: unknown, what: string): string {
  const parsed = params.safeParse(raw);
  if (parsed.success) return parsed.data.id;
  const given = z.object({ id: z.string() }).safeParse(raw);
  throw new NotFoundError(`${what} ${given.success ? given.data.id.slice(0, 64) : ''}`.trim());
}
