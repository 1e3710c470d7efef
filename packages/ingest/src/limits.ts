/** How much of the file is read before choosing the format and the CSV delimiter: enough for any sane header line. */
export const HEAD_BYTES = 64 * 1024;

/**
 * Largest single record (CSV record, NDJSON line, JSON array element). A recipient is a few hundred bytes; a record
 * past this is an unclosed quote or not a recipient list, and refusing it keeps memory flat.
 */
export const MAX_RECORD_BYTES = 1024 * 1024;
