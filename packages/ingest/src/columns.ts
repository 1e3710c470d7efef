import { clipList, fieldForHeader, type RecipientField } from '@sobot/schema';
import { IngestError } from './errors';

/** Header names that stand for the phone number, for the error that says none was found. */
export const PHONE_HEADERS = ['customer_number', 'phone', 'number', 'mobile', 'msisdn'] as const;

/** Where each recipient field sits in a CSV record; -1 when the file has no such column. */
export interface ColumnMap {
  width: number;
  customer_number: number;
  customer_name: number;
  url: number;
  mime_type: number;
  caption: number;
}

/** Maps a header row; unknown columns are ignored and, of two columns for one field, the first wins. */
export function mapHeader(header: readonly string[]): ColumnMap {
  const map: ColumnMap = {
    width: header.length,
    customer_number: -1,
    customer_name: -1,
    url: -1,
    mime_type: -1,
    caption: -1,
  };
  header.forEach((name, index) => {
    const field: RecipientField | undefined = fieldForHeader(name);
    if (field && map[field] < 0) map[field] = index;
  });
  if (map.customer_number < 0) throw noPhoneColumn(`the header has ${clipList(header.map((h) => JSON.stringify(h)))}`);
  return map;
}

export function noPhoneColumn(found: string): IngestError {
  return new IngestError('NO_PHONE_COLUMN', `no phone number column: name one ${PHONE_HEADERS.join(', ')} (${found})`);
}
