import type { CountrySource } from './country';
import type { RejectedCells } from './tally';
import type { ColumnsUsed, FieldError, RowError, SobotImageMessage } from '@sobot/schema';

/** Counts of one recipient file, and the first row errors (capped; the counts are exact). */
export interface IngestSummary {
  /** Data rows read: the header and blank lines are not counted. */
  total: number;
  /** Unique valid recipients handed to the sink. */
  accepted: number;
  /** Invalid rows. */
  rejected: number;
  /** Valid rows whose number came earlier in the file. */
  duplicates: number;
  errors: RowError[];
  /**
   * CSV and .xlsx: the cells of the rejected rows listed in `errors`, as the file had them (for the rejected-rows
   * download), up to REJECTED_CELLS_MAX_CHARS; not an answer field.
   */
  rejected_cells?: RejectedCells[];
  /** The first valid messages (PREVIEW_SIZE), as they would be sent. */
  preview: SobotImageMessage[];
  /**
   * With a caption template: how many accepted recipients' captions render each variable as nothing (no value, no
   * fallback), by the variable's name as written; `{}` when none does.
   */
  empty_variables?: Record<string, number>;
  /** The header each field was read from (null when the file has none). */
  columns?: ColumnsUsed;
  /** CSV and .xlsx: the line the header was read from (1-based, as a spreadsheet shows it). */
  header_row?: number;
  /** CSV and .xlsx: the header's cells as the file has them (for the rejected-rows download; not an answer field). */
  header?: string[];
  /** Accepted numbers per country (ISO 3166 alpha-2; `001` non-geographic), most first. */
  countries: Record<string, number>;
  /** The list's country bare numbers were read in (SPEC §20); null when none. */
  country?: string | null;
  country_source?: CountrySource;
}

/**
 * Stable codes of the failures that reject a whole file, nothing of it to be kept:
 * - `UNPARSEABLE`: not UTF-8 text, malformed CSV/JSON/NDJSON, inconsistent column counts, a record over the size limit.
 * - `NO_PHONE_COLUMN`: no header (or JSON key) stands for `customer_number`.
 * - `AMBIGUOUS_PHONE_COLUMN`: several headers could be the phone column and `phoneColumn` does not say which.
 * - `UNKNOWN_COLUMN`: `phoneColumn` / `nameColumn` names no header of the file.
 * - `UNKNOWN_VARIABLE`: the caption has a `{{variable}}` that no column of the file stands for.
 * - `NO_VALID_ROWS`: nothing to send after reading the whole file (or the file is empty).
 * - `STRICT_REJECTED`: `strict` was asked and at least one row is invalid.
 * - `INVALID_DEFAULTS`: the campaign defaults themselves are invalid (checked before reading).
 * - `WORKBOOK_TOO_LARGE`: an .xlsx expands past its limits (WorkbookLimits), or a cell or row is over MAX_CELL_CHARS.
 * - `UNKNOWN_COUNTRY`: the `country` option is not an ISO 3166 alpha-2 code of a country with a numbering plan.
 */
export const INGEST_ERROR_CODES = [
  'UNPARSEABLE',
  'NO_PHONE_COLUMN',
  'AMBIGUOUS_PHONE_COLUMN',
  'UNKNOWN_COLUMN',
  'UNKNOWN_VARIABLE',
  'NO_VALID_ROWS',
  'STRICT_REJECTED',
  'INVALID_DEFAULTS',
  'WORKBOOK_TOO_LARGE',
  'UNKNOWN_COUNTRY',
] as const;
export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];

/** Where a file stopped parsing. */
export interface ParsePosition {
  row?: number;
  line?: number;
}

/**
 * `IngestSummary` for NO_VALID_ROWS and STRICT_REJECTED, the field errors for INVALID_DEFAULTS,
 * a position for UNPARSEABLE.
 */
export type IngestErrorDetails =
  IngestSummary | FieldError[] | ParsePosition | { candidates: string[] } | { headers: string[] };

export class IngestError extends Error {
  override readonly name = 'IngestError';

  constructor(
    readonly code: IngestErrorCode,
    message: string,
    readonly details?: IngestErrorDetails,
  ) {
    super(message);
  }
}

export function unparseable(message: string, position?: ParsePosition): IngestError {
  return new IngestError('UNPARSEABLE', message, position);
}

export function workbookTooLarge(message: string, position?: ParsePosition): IngestError {
  return new IngestError('WORKBOOK_TOO_LARGE', message, position);
}
