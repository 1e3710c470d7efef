/** How much of the file is read before choosing the format and the CSV delimiter: enough for any sane header line. */
export const HEAD_BYTES = 64 * 1024;

/**
 * Largest single record (CSV record, NDJSON line, JSON array element). A recipient is a few hundred bytes; a record
 * past this is an unclosed quote or not a recipient list, and refusing it keeps memory flat.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;

/** What an .xlsx workbook may cost to read (SPEC §22); past either the upload is WORKBOOK_TOO_LARGE. */
export interface WorkbookLimits {
  /**
   * Decompressed bytes of the parts read (workbook, relations, styles, shared strings, the first sheet), counted as
   * they inflate.
   */
  expandedBytes: number;
  /** Bytes of the shared-string table: its part as it inflates, and the strings kept (characters + 24 per string). */
  sharedStringsBytes: number;
}

export const DEFAULT_WORKBOOK_LIMITS: WorkbookLimits = { expandedBytes: 2 ** 30, sharedStringsBytes: 256 * 2 ** 20 };

/** Longest text of one workbook cell, and of one row's cells together: like a CSV record (MAX_RECORD_BYTES). */
export const MAX_CELL_CHARS = MAX_RECORD_BYTES;

/** Longest run of XML between two `<` (a text node or a tag): a cell of MAX_CELL_CHARS escaped, with room. */
export const MAX_XML_RUN_BYTES = 8 * MAX_RECORD_BYTES;

/** Most zip entries a workbook may list; a workbook has a few dozen parts (a few thousand with many images). */
export const MAX_ZIP_ENTRIES = 100_000;
