export { ingestRecipients, type IngestOptions } from './ingest';
export { INFER_SHARE, type CountrySource } from './country';
export {
  IngestError,
  INGEST_ERROR_CODES,
  type IngestErrorCode,
  type IngestErrorDetails,
  type IngestSummary,
  type ParsePosition,
} from './errors';
export {
  DEFAULT_MAX_ERRORS,
  PREVIEW_SIZE,
  REJECTED_CELLS_MAX_CHARS,
  type RecipientSink,
  type RejectedCells,
} from './tally';
export { NumberSet, numberKey } from './number-set';
export { sniffFormat, detectDelimiter, type RecipientFormat, type CsvDelimiter } from './detect-format';
export { PHONE_HEADERS, HEADER_SEARCH_LINES, HEADER_ROW_MAX } from './columns';
export { detectFileKind, type FileKind } from './file-kind';
export { HEAD_BYTES, MAX_RECORD_BYTES, MAX_CELL_CHARS, DEFAULT_WORKBOOK_LIMITS, type WorkbookLimits } from './limits';
export type { XlsxOptions } from './xlsx';
export { UPLOAD_TEMP_PREFIX, sweepUploadTempDirs, withUploadTempDir } from './temp-files';
export type { RecipientInput } from './source';
