import { REPORT_COLUMNS, normalizeHeader } from '@sobot/schema';

/**
 * A campaign report uploaded back (SPEC §17: "uploads a report back and gets the same recipients"). The report
 * writes each number as its full international digits without `+` (a cell starting with `+` would take the OWASP
 * quote), so read as a bare number under a list country a short foreign number would change country: Singapore's
 * `6591234567` became India's `916591234567` under DEFAULT_COUNTRY_CODE=91. A file whose header has every column of
 * the report is one, and its numbers are read as international. docs/decisions.md, "Reports".
 */
const REPORT_HEADER = REPORT_COLUMNS.filter((c) => c !== 'delivery_status').map(normalizeHeader);

/** The header (CSV, sheet) or the keys (JSON) of a report written by this product. */
export function isReportHeader(names: Iterable<string>): boolean {
  const seen = new Set<string>();
  for (const name of names) seen.add(normalizeHeader(name));
  return REPORT_HEADER.every((c) => seen.has(c));
}

/** A report's number cell, written as the international number it is: plain digits get their `+`. */
export function reportNumber(cell: string | undefined): string | undefined {
  return cell !== undefined && /^\d+$/.test(cell.trim()) ? `+${cell.trim()}` : cell;
}
