import { normalizeNumber, type CountryReading } from './phone';
import { canonicalTimeZone } from './quiet-hours';
import { textProblem } from './text-check';
import type { RecipientField } from './columns';

export const CAPTION_MAX = 1024;
export const MIME_TYPES = ['image/jpeg', 'image/png'] as const;
export type MimeType = (typeof MIME_TYPES)[number];

/** The exact body the Sobot API takes for an image message. */
export interface SobotImageMessage {
  type: 'image';
  url: string;
  mime_type: MimeType;
  customer_number: string;
  customer_name: string;
  caption?: string;
  /**
   * The recipient's IANA zone from a `timezone` column (quiet hours). Not part of the upstream body: the Sobot
   * client builds its request from the fields above.
   */
  timezone?: string;
}

/** What every recipient of a campaign gets unless its own row says otherwise. Frozen at upload. */
export interface CampaignDefaults {
  image_url?: string;
  mime_type?: string;
  caption?: string;
}

export interface ValidationOptions {
  defaultCountryCode?: string;
  /** How bare numbers are read (SPEC §20); wins over `defaultCountryCode` when given. */
  country?: CountryReading;
  /** Use the number as the name when a row has none (only when the operator asks). */
  nameFallbackToNumber?: boolean;
}

export interface FieldError {
  field: string;
  message: string;
}

export type RawRecipient = Partial<Record<RecipientField, string | undefined>>;
export type RecipientResult =
  | {
      ok: true;
      message: SobotImageMessage;
      /** ISO 3166 alpha-2 of the number (`001`: non-geographic). */ country: string;
    }
  | { ok: false; errors: FieldError[] };

/** The MIME type a URL's file extension implies, if it is one we can send. */
export function mimeFromUrl(url: string): MimeType | undefined {
  let path: string;
  try {
    path = new URL(url).pathname.toLowerCase();
  } catch {
    return undefined;
  }
  if (path.endsWith('.jpg') || path.endsWith('.jpeg')) return 'image/jpeg';
  if (path.endsWith('.png')) return 'image/png';
  return undefined;
}

/** Undefined when `url` is an absolute http(s) URL, else why not. */
export function checkImageUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `must be an absolute http(s) URL (got "${url.slice(0, 60)}")`;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    return `must use http or https (got ${parsed.protocol.replace(':', '')})`;
  }
  return undefined;
}

export function checkMimeType(mime: string): string | undefined {
  return (MIME_TYPES as readonly string[]).includes(mime)
    ? undefined
    : `must be image/jpeg or image/png (got "${mime.slice(0, 60)}")`;
}

export function checkCaption(caption: string): string | undefined {
  // UTF-16 length bounds the character count from above: most captions need no closer look.
  if (caption.length <= CAPTION_MAX) return undefined;
  const length = [...caption].length;
  return length > CAPTION_MAX ? `must be at most ${CAPTION_MAX} characters (got ${length})` : undefined;
}

/** Checks a campaign's defaults once, before any row is read. */
export function validateDefaults(d: CampaignDefaults): FieldError[] {
  const errors: FieldError[] = [];
  const add = (field: string, message: string | undefined) => message && errors.push({ field, message });
  for (const field of ['image_url', 'mime_type', 'caption'] as const) {
    const problem = d[field] === undefined ? undefined : textProblem(d[field]);
    if (problem) add(field, problem);
  }
  if (errors.length > 0) return errors;
  if (d.image_url) add('image_url', checkImageUrl(d.image_url));
  if (d.mime_type) add('mime_type', checkMimeType(d.mime_type));
  if (d.caption) add('caption', checkCaption(d.caption));
  return errors;
}

/** Every row of a campaign usually shares one URL: remember the last answer for it. */
let lastUrl = '';
let lastUrlError: string | undefined;
let lastMime: MimeType | undefined;
function checkImageUrlCached(url: string): string | undefined {
  if (url !== lastUrl) {
    lastUrl = url;
    lastUrlError = checkImageUrl(url);
    lastMime = lastUrlError ? undefined : mimeFromUrl(url);
  }
  return lastUrlError;
}
function mimeFromUrlCached(url: string): MimeType | undefined {
  checkImageUrlCached(url);
  return lastMime;
}

const TEXT_FIELDS = ['customer_number', 'customer_name', 'url', 'mime_type', 'caption'] as const;

function blank(v: string | undefined): v is undefined {
  return v === undefined || v.trim() === '';
}

/**
 * Turns one raw row into the exact API body, every problem reported by field. An empty cell takes the
 * campaign default.
 */
export function validateRecipient(
  row: RawRecipient,
  defaults: CampaignDefaults,
  opts: ValidationOptions = {},
): RecipientResult {
  const errors: FieldError[] = [];
  // A NUL or bytes that were not UTF-8 in any field: the row is refused naming the field, never sent.
  for (const field of TEXT_FIELDS) {
    const value = row[field];
    const problem = value === undefined ? undefined : textProblem(value);
    if (problem) errors.push({ field, message: problem });
  }
  if (errors.length > 0) return { ok: false, errors };
  const num = normalizeNumber(row.customer_number ?? '', opts.country ?? opts.defaultCountryCode);
  if (!num.ok) errors.push({ field: 'customer_number', message: num.message });

  let name = blank(row.customer_name) ? '' : row.customer_name.trim();
  if (!name && opts.nameFallbackToNumber && num.ok) name = num.value;
  if (!name) errors.push({ field: 'customer_name', message: 'is required' });

  const ownUrl = !blank(row.url);
  const url = ownUrl ? row.url!.trim() : (defaults.image_url ?? '');
  const urlError = url ? checkImageUrlCached(url) : 'is required (no image_url default for the campaign)';
  if (urlError) errors.push({ field: 'url', message: urlError });

  // A row's own URL implies its own type; the campaign's mime_type goes with the campaign's URL.
  const inferred = () => (url && !urlError ? mimeFromUrlCached(url) : undefined);
  const mime = !blank(row.mime_type)
    ? row.mime_type.trim().toLowerCase()
    : ownUrl
      ? (inferred() ?? defaults.mime_type)
      : defaults.mime_type || inferred();
  if (!mime) {
    if (!urlError)
      errors.push({
        field: 'mime_type',
        message: 'is required: the URL has no .jpg, .jpeg or .png extension to infer it from',
      });
  } else {
    const mimeError = checkMimeType(mime);
    if (mimeError) errors.push({ field: 'mime_type', message: mimeError });
  }

  const caption = blank(row.caption) ? defaults.caption : row.caption;
  const captionError = caption ? checkCaption(caption) : undefined;
  if (captionError) errors.push({ field: 'caption', message: captionError });

  const timezone = blank(row.timezone) ? undefined : canonicalTimeZone(row.timezone);
  if (!blank(row.timezone) && !timezone) {
    errors.push({
      field: 'timezone',
      message:
        `"${row.timezone.trim().slice(0, 64)}" is not a time zone: ` +
        'use an IANA name such as Asia/Kolkata (not an abbreviation)',
    });
  }

  if (errors.length > 0 || !num.ok) return { ok: false, errors };
  const message: SobotImageMessage = {
    type: 'image',
    url,
    mime_type: mime as MimeType,
    customer_number: num.value,
    customer_name: name,
  };
  if (caption) message.caption = caption;
  if (timezone) message.timezone = timezone;
  return { ok: true, message, country: num.country };
}
