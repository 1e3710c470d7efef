import { mimeFromUrl, type CampaignDefaults, type SobotImageMessage, type MimeType } from '@sobot/schema';

/**
 * Recipients are stored in chunks, one JSON string per chunk: `[[number, name, url?, mime?, caption?, zone?], …]`
 * where a field equal to the campaign's default is written as 0 (and trailing defaults are left out),
 * so a typical recipient costs its number and name plus a few bytes. `zone` is the IANA zone of a `timezone`
 * column (quiet hours); without one the zone comes from the number when it is needed, at send time.
 */
type Stored = [string, string, (string | 0)?, (string | 0)?, (string | 0)?, (string | 0)?];

export interface ChunkDefaults {
  url: string;
  mime: string;
  caption: string;
}

export function chunkDefaults(d: CampaignDefaults): ChunkDefaults {
  const url = d.image_url ?? '';
  return { url, mime: d.mime_type || (url ? (mimeFromUrl(url) ?? '') : ''), caption: d.caption ?? '' };
}

export function encodeRecipient(m: SobotImageMessage, d: ChunkDefaults): Stored {
  const row: Stored = [
    m.customer_number,
    m.customer_name,
    m.url === d.url ? 0 : m.url,
    m.mime_type === d.mime ? 0 : m.mime_type,
    (m.caption ?? '') === d.caption ? 0 : (m.caption ?? ''),
    m.timezone || 0,
  ];
  while (row.length > 2 && row[row.length - 1] === 0) row.pop();
  return row;
}

export function decodeChunk(json: string, d: ChunkDefaults): SobotImageMessage[] {
  const rows = JSON.parse(json) as Stored[];
  return rows.map(([customer_number, customer_name, url, mime, caption, zone]) => {
    const message: SobotImageMessage = {
      type: 'image',
      url: url || d.url,
      mime_type: (mime || d.mime) as MimeType,
      customer_number,
      customer_name,
    };
    const cap = caption === undefined || caption === 0 ? d.caption : caption;
    if (cap) message.caption = cap;
    if (zone) message.timezone = zone;
    return message;
  });
}
