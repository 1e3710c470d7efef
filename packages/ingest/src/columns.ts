import {
  PHONE_HEADERS,
  RECIPIENT_FIELDS,
  fieldForHeader,
  clipList,
  normalizeHeader,
  type CaptionTemplate,
  type ColumnsUsed,
  type RecipientField,
} from '@sobot/schema';
import { IngestError } from './errors';

export { PHONE_HEADERS };

/** Where each recipient field sits in a record; -1 when the file has no such column. */
export interface ColumnMap extends Record<RecipientField, number> {
  width: number;
  headers: string[];
  /** The column of each caption variable, in the template's order (-1: none, the fallback applies). */
  variables: number[];
}

export interface ColumnChoice {
  phoneColumn?: string;
  nameColumn?: string;
}

/** Lines of a sheet searched for its header when `header_row` does not say which (SPEC §11, issue 24). */
export const HEADER_SEARCH_LINES = 20;
/** The largest `header_row` taken. */
export const HEADER_ROW_MAX = 10_000;

/** The record has the phone column: a header naming it (`phoneColumn`'s when given). */
export function hasPhoneColumn(record: readonly string[], choice: ColumnChoice): boolean {
  const key = choice.phoneColumn === undefined ? undefined : normalizeHeader(choice.phoneColumn);
  return record.some((cell) => {
    const header = cell.replace(/^\uFEFF/, '').trim();
    return key === undefined ? fieldForHeader(header) === 'customer_number' : normalizeHeader(header) === key;
  });
}

/**
 * Maps a header row (SPEC §11): headers compared normalised; several phone candidates are an error unless
 * `phoneColumn` names one; of several columns for another field the first wins (or `nameColumn`'s). Every
 * caption variable must name a column (by header, or by the field a header stands for).
 */
export function mapHeader(header: readonly string[], choice: ColumnChoice, template?: CaptionTemplate): ColumnMap {
  const headers = header.map((h) => h.replace(/^\uFEFF/, '').trim());
  const map: ColumnMap = {
    width: header.length,
    headers,
    customer_number: -1,
    customer_name: -1,
    url: -1,
    mime_type: -1,
    caption: -1,
    timezone: -1,
    variables: [],
  };
  const phones: number[] = [];
  headers.forEach((name, index) => {
    const field = fieldForHeader(name);
    if (field === 'customer_number') phones.push(index);
    else if (field && map[field] < 0) map[field] = index;
  });
  if (choice.phoneColumn) map.customer_number = named(headers, choice.phoneColumn, 'phone_column');
  else if (phones.length > 1) throw ambiguous(phones.map((i) => headers[i]!));
  else if (phones.length === 1) map.customer_number = phones[0]!;
  else throw noPhoneColumn(`the header has ${clipList(headers.map((h) => JSON.stringify(h)))}`);
  if (choice.nameColumn) map.customer_name = named(headers, choice.nameColumn, 'name_column');

  if (template) {
    const keys = headers.map(normalizeHeader);
    const unknown: string[] = [];
    for (const v of template.variables) {
      let index = keys.indexOf(v.key);
      const field = index < 0 ? fieldForHeader(v.name) : undefined;
      if (field) index = map[field];
      if (index < 0) unknown.push(v.name);
      map.variables.push(index);
    }
    if (unknown.length > 0) throw unknownVariables(unknown, headers);
  }
  return map;
}

export function columnsUsed(map: Pick<ColumnMap, RecipientField | 'headers'>): ColumnsUsed {
  const used = {} as ColumnsUsed;
  for (const field of RECIPIENT_FIELDS) used[field] = map[field] < 0 ? null : (map.headers[map[field]] ?? null);
  return used;
}

function named(headers: string[], wanted: string, option: string): number {
  const key = normalizeHeader(wanted);
  const index = headers.findIndex((h) => normalizeHeader(h) === key);
  if (index < 0) {
    throw new IngestError(
      'UNKNOWN_COLUMN',
      `${option} "${wanted}" is not a column of the file (its headers: ${headers.map((h) => `"${h}"`).join(', ')})`,
      { headers },
    );
  }
  return index;
}

export function ambiguous(candidates: string[]): IngestError {
  const list = candidates.map((c) => `"${c}"`).join(' and ');
  return new IngestError(
    'AMBIGUOUS_PHONE_COLUMN',
    `more than one column could be the phone number: ${list}; say which with phone_column=<header>`,
    { candidates },
  );
}

export function unknownVariables(names: string[], headers?: string[]): IngestError {
  const list = names.map((n) => `{{${n}}}`).join(', ');
  const known = headers ? ` (the file's columns: ${headers.map((h) => `"${h}"`).join(', ')})` : '';
  return new IngestError('UNKNOWN_VARIABLE', `the caption uses ${list}, but no column has that name${known}`, {
    headers: headers ?? [],
  });
}

export function noPhoneColumn(found: string): IngestError {
  return new IngestError(
    'NO_PHONE_COLUMN',
    `no phone number column: name one ${PHONE_HEADERS.join(', ')}, or say which with phone_column=<header> (${found})`,
  );
}
