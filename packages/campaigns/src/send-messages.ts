import { createHash } from 'node:crypto';
import { chooseSenders } from './sender-choice';
import {
  messageInputSchema,
  parseCaptionTemplate,
  renderCaption,
  validateRecipient,
  type Lane,
  type QuietSpan,
  type SendMessagesResult,
  type SobotImageMessage,
  normalizeHeader,
  textProblem,
  type ValidationOptions,
} from '@sobot/schema';
import { messageId, newCampaignId } from '@sobot/store';
import type { z } from 'zod';
import type { CampaignDeps } from './deps';
import { IdempotencyConflictError, InputError } from './errors';
import { once } from './idempotency';

type MessageInput = z.output<typeof messageInputSchema>;

/**
 * Validates a batch of messages all-or-nothing and folds repeated numbers: each message maps to the
 * index of the first message with its number (that index is its id within the campaign).
 */
function prepare(
  messages: MessageInput[],
  validation: ValidationOptions,
): { unique: SobotImageMessage[]; indexOf: number[]; metadata: Map<number, string> } {
  const errors: Array<{ index: number; field: string; message: string }> = [];
  const unique: SobotImageMessage[] = [];
  const seen = new Map<string, number>();
  const indexOf: number[] = [];
  const metadata = new Map<number, string>();
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
      // A number repeated in one call is one message: the first occurrence's metadata is kept.
      if (m.metadata !== undefined) metadata.set(at, JSON.stringify(m.metadata));
    }
    indexOf.push(at);
  });
  if (errors.length > 0) {
    throw new InputError('INVALID_MESSAGES', `${errors.length} problem(s) in the messages; nothing was sent`, errors);
  }
  return { unique, indexOf, metadata };
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
  for (const [name, value] of Object.entries(m.variables ?? {})) {
    const problem = textProblem(value);
    if (problem) errors.push({ index, field: `variables.${name}`, message: problem });
  }
  if (errors.some((e) => e.index === index)) return null;
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
  opts: {
    idempotencyKey?: string;
    validation?: ValidationOptions;
    lane?: Lane;
    sendAt?: number;
    quietHours?: QuietSpan;
    /** `sender` / `senders` of the call (SPEC §15); each message's own `sender` joins them. */
    senders?: string[];
  },
): Promise<SendMessagesResult> {
  const senders = await chooseSenders(deps, ...(opts.senders ?? []), ...messages.map((m) => m.sender));
  const { unique, indexOf, metadata } = prepare(messages, opts.validation ?? {});
  const id = newCampaignId();
  const ids = (campaignId: string) => indexOf.map((i) => messageId(campaignId, i));
  const write = async (fence: () => Promise<void>) => {
    const writer = deps.store.newCampaign({}, id);
    try {
      for (const m of unique) await writer.add(m);
      await fence();
      await writer.commit({
        name: `api ${new Date().toISOString().slice(0, 19).replace('T', ' ')}`,
        source: 'api',
        defaults: {},
        total: messages.length,
        rejected: 0,
        duplicates: messages.length - unique.length,
        lane: opts.lane ?? 'transactional',
        sendAt: opts.sendAt,
        quietHours: opts.quietHours,
        metadata,
        senders,
      });
    } catch (err) {
      await writer.abort();
      throw err;
    }
    return { campaign_id: id, ids: ids(id), replayed: false };
  };
  if (!opts.idempotencyKey) return write(async () => undefined);
  return once(deps, {
    key: opts.idempotencyKey,
    campaignId: id,
    request: createHash('sha256').update(JSON.stringify(messages)).digest('hex'),
    // A call of at most 1,000 messages is written in moments: a repeat waits for its answer.
    whileHeld: 'wait',
    create: async (fence) => ({ answer: await write(fence) }),
    replay: async (campaignId) => ({ campaign_id: campaignId, ids: ids(campaignId), replayed: true }),
    conflict: () => new IdempotencyConflictError(),
  });
}
