import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz';

/** A new campaign id: time-ordered prefix plus randomness, lowercase, URL-safe, no `-` or `:`. */
export function newCampaignId(): string {
  const time = Date.now().toString(32).padStart(9, '0');
  const rand = Array.from(randomBytes(6), (b) => ALPHABET[b % 32]).join('');
  return `c${time}${rand}`;
}

export function isCampaignId(id: string): boolean {
  return /^c[0-9a-z]{15}$/.test(id);
}

/** A message is addressed by its campaign and its position among the campaign's accepted recipients. */
export function messageId(campaignId: string, index: number): string {
  return `${campaignId}-${index}`;
}

export function parseMessageId(id: string): { campaignId: string; index: number } | undefined {
  const m = /^(c[0-9a-z]{15})-(\d{1,9})$/.exec(id);
  return m ? { campaignId: m[1]!, index: Number(m[2]) } : undefined;
}
