/**
 * Recipient columns and the headers that stand for them (SPEC §6, §11). Headers are compared normalised: case,
 * spaces, `_`, `-` and `.` ignored, so `Mobile No.`, `mobile_no` and `MOBILE-NO` are one header.
 */
export const RECIPIENT_FIELDS = [
  'customer_number',
  'customer_name',
  'url',
  'mime_type',
  'caption',
  'timezone',
] as const;
export type RecipientField = (typeof RECIPIENT_FIELDS)[number];

/** The header each field was read from (null when the file has none): the upload answer's `columns`. */
export type ColumnsUsed = Record<RecipientField, string | null>;

const ALIASES: Record<RecipientField, readonly string[]> = {
  customer_number: [
    'customer_number',
    'phone',
    'phone_number',
    'phone_no',
    'number',
    'mobile',
    'mobile_no',
    'mobile_number',
    'mobile_phone',
    'msisdn',
    'whatsapp',
    'whatsapp_number',
    'whatsapp_no',
    'contact',
    'contact_number',
    'contact_no',
    'cell',
    'cell_number',
    'cell_phone',
    'telephone',
    'tel',
  ],
  customer_name: ['customer_name', 'name', 'full_name', 'contact_name'],
  url: ['url', 'image_url', 'image'],
  mime_type: ['mime_type'],
  caption: ['caption'],
  /** The recipient's IANA time zone, for quiet hours (else it comes from the number). */
  timezone: ['timezone', 'time_zone', 'tz'],
};

/** `Mobile No.` → `mobileno`. */
export function normalizeHeader(header: string): string {
  return header
    .replace(/^\uFEFF/, '')
    .toLowerCase()
    .replace(/[\s_\-.]+/g, '');
}

const BY_KEY = new Map<string, RecipientField>();
for (const field of RECIPIENT_FIELDS) for (const alias of ALIASES[field]) BY_KEY.set(normalizeHeader(alias), field);

/** The recipient field a header (or JSON key) stands for, or undefined for a column we only keep for captions. */
export function fieldForHeader(header: string): RecipientField | undefined {
  return BY_KEY.get(normalizeHeader(header));
}

/** Header names that stand for the phone number, for the error that says none was found. */
export const PHONE_HEADERS = ['customer_number', 'Phone Number', 'Mobile No.', 'WhatsApp Number', 'Contact', 'Cell'];
