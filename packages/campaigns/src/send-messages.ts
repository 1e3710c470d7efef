import {
  messageInputSchema,
  parseCaptionTemplate,
  renderCaption,
  validateRecipient,
  type SendMessagesResult,
  type SobotImageMessage,
  normalizeHeader,
  type ValidationOptions,
} from '@sobot/schema';
import {
  CampaignWriter,
  claimIdempotencyKey,
  enqueueChunks,
  messageId,
  newCampaignId,
  releaseIdempotencyKey,
} from '@sobot/store';
import { waitFor } from '@sobot/devkit';
import type { z } from 'zod';
import type { CampaignDeps } from './deps';
import { IdempotencyConflictError, InputError } from './errors';

type MessageInput = z.output<typeof messageInputSchema>;

/**
 * Validates a batch of messages all-or-nothing and folds repeated numbers: each message maps to the
 * index of the first message with its number (that index is its id within the campaign).
 */
function prepare(
  messages: MessageInput[],
  validation: ValidationOptions,
): { unique: SobotImageMessage[]; indexOf: number[] } {
  const errors: Array<{ index: number; field: string; message: string }> = [];
  const unique: SobotImageMessage[] = [];
  const seen = new Map<string, number>();
  const indexOf: number[] = [];
  messages.forEach((m, index) => {
    const caption = withVariables(m, index, errors);
    if (caption === null) return;
    const r = validateRecipient({ ...m, url: m.url ?? m.image_url, caption }, {}, validation);
    if (!r.ok) {
      for (const e of r.errors) errors.push({ index, ...e });
      return;
    }
    let at = seen.get(r.message.customer_number);
    if (at === undefined) {
      at = unique.length;
      seen.set(r.message.customer_number, at);
      unique.push(r.message);
    }
    indexOf.push(at);
  });
  if (errors.length > 0) {
    throw new InputError('INVALID_MESSAGES', `${errors.length} problem(s) in the messages; nothing was sent`, errors);
  }
  return { unique, indexOf };
}

/**
 * The caption with its `{{name}}` variables filled from `variables` (SPEC §11, as for uploads): a variable with
 * no value and no fallback is an error naming it; null when there was one (pushed to `errors`).
 */
function withVariables(
  m: MessageInput,
  index: number,
  errors: Array<{ index: number; field: string; message: string }>,
): string | undefined | null {
  const template = parseCaptionTemplate(m.caption);
  if (!template) return m.caption;
  const values = new Map(Object.entries(m.variables ?? {}).map(([k, v]) => [normalizeHeader(k), v]));
  const missing = template.variables.filter((v) => v.fallback === undefined && !values.has(v.key));
  if (missing.length > 0) {
    const names = missing.map((v) => `{{${v.name}}}`).join(', ');
    errors.push({ index, field: 'caption', message: `uses ${names}, but "variables" has no such key` });
    return null;
  }
  return renderCaption(template, (v) => values.get(v.key));
}

/**
 * Enqueues messages from another backend as one small campaign. With an idempotency key, the first
 * call creates it and every later call with the same key gets the same ids back (nothing enqueued
 * twice, even when the calls race).
 */
export async function sendMessages(
  deps: CampaignDeps,
  messages: MessageInput[],
  opts: { idempotencyKey?: string; validation?: ValidationOptions },
): Promise<SendMessagesResult> {
  const { unique, indexOf } = prepare(messages, opts.validation ?? {});
  let id = newCampaignId();
  const key = opts.idempotencyKey;
  if (key) {
    const claim = await claimIdempotencyKey(deps.ctx, key, id, JSON.stringify(messages));
    if (!claim.fresh) {
      if (!claim.sameBody) throw new IdempotencyConflictError();
      id = claim.campaignId;
      // The first call may still be writing: answer once its campaign exists.
      await waitFor(() => deps.ctx.redis.exists(deps.ctx.keys.meta(id)), {
        timeoutMs: 10_000,
        what: 'the first call with this key',
      });
      return { campaign_id: id, ids: indexOf.map((i) => messageId(id, i)), replayed: true };
    }
  }
  const writer = new CampaignWriter(deps.ctx, id, {});
  try {
    for (const m of unique) await writer.add(m);
    const chunks = await writer.commit({
      name: `api ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`,
      source: 'api',
      defaults: {},
      total: messages.length,
      rejected: 0,
      duplicates: messages.length - unique.length,
    });
    await enqueueChunks(deps.queue, id, chunks);
  } catch (err) {
    await writer.abort();
    if (key) await releaseIdempotencyKey(deps.ctx, key);
    throw err;
  }
  return { campaign_id: id, ids: indexOf.map((i) => messageId(id, i)), replayed: false };
}
