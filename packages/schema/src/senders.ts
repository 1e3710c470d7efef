import { z } from 'zod';

const isoTime = z.string().describe('RFC 3339 time, UTC');

/** One portfolio's messaging budget (SPEC §15): unique numbers a rolling 24 h may start conversations with. */
export const portfolioUsageSchema = z.object({
  portfolio: z.string(),
  messaging_limit: z.number().int().nullable().describe('unique numbers per rolling 24 h; null: unlimited'),
  used_24h: z.number().int().min(0).describe('numbers counted in the last 24 h (numbers inside their window are not)'),
  remaining_24h: z.number().int().min(0).nullable().describe('new numbers that may still start now; null: unlimited'),
  next_release_at: isoTime.nullable().describe('when the oldest counted number leaves the 24 h; null: none counted'),
});
export type PortfolioUsageView = z.output<typeof portfolioUsageSchema>;

/** One sender (a Sobot account, one WhatsApp number): never its key pair. */
export const senderViewSchema = z.object({
  id: z.string(),
  rate: z.number().describe('requests per second to this sender, across every worker'),
  portfolio: z.string(),
  state: z.enum(['active', 'paused']),
  paused_reason: z.string().nullable().describe('why the upstream refused it (401, 368…); null when active'),
  paused_code: z.string().nullable(),
  paused_at: isoTime.nullable(),
  slowed_until: isoTime.nullable().describe('131048 (spam rate limit) halves its rate until then; null: not slowed'),
  in_flight: z.number().int().min(0).describe('its requests in flight now, over every worker'),
  used_24h: z.number().int().min(0).describe("its portfolio's used_24h"),
  remaining_24h: z.number().int().min(0).nullable().describe("its portfolio's remaining_24h"),
  next_release_at: isoTime.nullable().describe("its portfolio's next_release_at"),
});
export type SenderView = z.output<typeof senderViewSchema>;

export const senderListSchema = z.object({
  senders: z.array(senderViewSchema),
  portfolios: z.array(portfolioUsageSchema),
});
export type SenderList = z.output<typeof senderListSchema>;
