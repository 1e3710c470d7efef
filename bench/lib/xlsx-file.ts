import { existsSync, renameSync, statSync } from 'node:fs';
import { join } from 'node:path';
import ExcelJS from 'exceljs';

/** First number of the generated workbooks: the same numbers as the CSVs of csv-file.ts. */
const FIRST_NUMBER = 917_000_000_000;

/**
 * Writes (once per directory) an .xlsx of `rows` unique recipients as Excel saves one: the number a numeric cell,
 * the name a shared string.
 */
export async function recipientsXlsx(dir: string, rows: number): Promise<{ path: string; bytes: number }> {
  const path = join(dir, `recipients-${rows}.xlsx`);
  if (!existsSync(path)) {
    const book = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: `${path}.part`, useSharedStrings: true });
    const sheet = book.addWorksheet('Recipients');
    sheet.addRow(['phone', 'name']).commit();
    for (let i = 0; i < rows; i++) sheet.addRow([FIRST_NUMBER + i, `Customer ${i}`]).commit();
    sheet.commit();
    await book.commit();
    renameSync(`${path}.part`, path);
  }
  return { path, bytes: statSync(path).size };
}
