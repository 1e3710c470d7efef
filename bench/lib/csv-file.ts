import { createWriteStream, existsSync, renameSync, statSync } from 'node:fs';
import { once } from 'node:events';
import { join } from 'node:path';

/** Phone numbers are 91 + 10 digits; every file of one size holds the same numbers (unique within it). */
const FIRST_NUMBER = 917_000_000_000;

/**
 * Writes (once per directory) a `phone,name` CSV of `rows` unique recipients and returns its path. The numbers
 * run from `firstNumber` (12 digits), so files with different first numbers hold different recipients.
 */
export async function recipientsCsv(
  dir: string,
  rows: number,
  firstNumber = FIRST_NUMBER,
): Promise<{ path: string; bytes: number }> {
  const path = join(
    dir,
    firstNumber === FIRST_NUMBER ? `recipients-${rows}.csv` : `recipients-${firstNumber}-${rows}.csv`,
  );
  if (!existsSync(path)) {
    const out = createWriteStream(`${path}.part`);
    let text = 'phone,name\n';
    for (let i = 0; i < rows; i++) {
      text += `${firstNumber + i},Customer ${i}\n`;
      if (text.length >= 256 * 1024) {
        if (!out.write(text)) await once(out, 'drain');
        text = '';
      }
    }
    out.end(text);
    await once(out, 'finish');
    renameSync(`${path}.part`, path);
  }
  return { path, bytes: statSync(path).size };
}

/** The body the Sobot API takes for recipient `i` of the generated files (what the naive senders post). */
export function imageMessage(imageUrl: string, i: number) {
  return {
    type: 'image',
    url: imageUrl,
    mime_type: 'image/jpeg',
    customer_number: String(FIRST_NUMBER + i),
    customer_name: `Customer ${i}`,
  };
}
