/** Recipient columns and their accepted header aliases (SPEC §6), matched case-insensitively. */
export const RECIPIENT_FIELDS = ['customer_number', 'customer_name', 'url', 'mime_type', 'caption'] as const;
export type RecipientField = (typeof RECIPIENT_FIELDS)[number];

const ALIASES: Record<string, RecipientField> = {
  customer_number: 'customer_number',
  phone: 'customer_number',
  number: 'customer_number',
  mobile: 'customer_number',
  msisdn: 'customer_number',
  customer_name: 'customer_name',
  name: 'customer_name',
  url: 'url',
  image_url: 'url',
  mime_type: 'mime_type',
  caption: 'caption',
};

/** The recipient field a header (or JSON key) stands for, or undefined for a column we ignore. */
export function fieldForHeader(header: string): RecipientField | undefined {
  const key = header
    .replace(/^\uFEFF/, '')
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '_');
  return ALIASES[key];
}
