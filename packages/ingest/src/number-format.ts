import { format, isDateFormat } from 'numfmt';

/**
 * Excel's built-in number formats (ECMA-376 §18.8.30) by id. Ids 14, 15 and 22 are "the system's short date" in
 * Excel, which depends on the viewer's locale; they render unambiguously here (`1 Mar 2024`), see docs/decisions.md.
 * Ids not listed (locale currencies 5–8, East Asian 27–36, 41–44) render as General unless styles.xml defines them.
 */
const BUILT_IN: Record<number, string> = {
  0: 'General',
  1: '0',
  2: '0.00',
  3: '#,##0',
  4: '#,##0.00',
  9: '0%',
  10: '0.00%',
  11: '0.00E+00',
  12: '# ?/?',
  13: '# ??/??',
  14: 'd mmm yyyy',
  15: 'd-mmm-yy',
  16: 'd-mmm',
  17: 'mmm-yy',
  18: 'h:mm AM/PM',
  19: 'h:mm:ss AM/PM',
  20: 'h:mm',
  21: 'h:mm:ss',
  22: 'd mmm yyyy h:mm',
  37: '#,##0 ;(#,##0)',
  38: '#,##0 ;[Red](#,##0)',
  39: '#,##0.00;(#,##0.00)',
  40: '#,##0.00;[Red](#,##0.00)',
  45: 'mm:ss',
  46: '[h]:mm:ss',
  47: 'mm:ss.0',
  48: '##0.0E+0',
  49: '@',
};

/** Serial day 0 of the 1904 date system is day 1462 of the 1900 one. */
const DAYS_1904 = 1462;

/** Longest format code Excel takes. */
export const MAX_FORMAT_CODE = 255;

/** A workbook's number formats: the custom codes of styles.xml over the built-in ones. */
export class NumberFormats {
  private readonly custom = new Map<number, string>();

  constructor(private readonly date1904 = false) {}

  define(id: number, code: string): void {
    if (code.length <= MAX_FORMAT_CODE) this.custom.set(id, code);
  }

  /** The code of format `id`; General when it is unknown. */
  code(id: number): string {
    return this.custom.get(id) ?? BUILT_IN[id] ?? 'General';
  }

  /**
   * `value` as a cell of format `id` shows it. General (and a code the formatter cannot read) keeps every digit
   * stored: Excel's General would show `9.1997E+11` for a long number in a narrow column, which no one means.
   */
  display(value: number, id: number): string {
    const code = this.code(id);
    if (code === 'General' || code === '@') return String(value);
    let shown = value;
    if (this.date1904 && isDateFormat(code)) shown += DAYS_1904;
    try {
      return format(code, shown, { throws: true, dateErrorNumber: true, nbsp: false }).trim();
    } catch {
      return String(value);
    }
  }
}
