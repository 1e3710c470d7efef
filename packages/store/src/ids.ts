import { randomBytes } from 'node:crypto';
import { CAMPAIGN_ID_PATTERN, MESSAGE_ID_PATTERN } from '@sobot/schema';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new campaign id: time-ordered prefix plus randomness, lowercase, URL-safe, no `-` or `:`. */
export function newCampaignId(): string {
  const time = Date.now().toString(32).padStart(9, '0');
  const rand = Array.from(randomBytes(6), (b) => ALPHABET[b % 32]).join('');
  return `c${time}${rand}`;
}

export function isCampaignId(id: string): boolean {
  return CAMPAIGN_ID_PATTERN.test(id);
}

/** A message is addressed by its campaign and its position among the campaign's accepted recipients. */
export function messageId(campaignId: string, index: number): string {
  return `${campaignId}-${index}`;
}

export function parseMessageId(id: string): { campaignId: string; index: number } | undefined {
  const m = MESSAGE_ID_PATTERN.exec(id);
  return m ? { campaignId: m[1]!, index: Number(m[2]) } : undefined;
}
