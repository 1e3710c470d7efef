import { unparseable } from './errors';

/** What the first bytes of an upload say it is. */
export type FileKind =
  | { kind: 'utf8'; bom: boolean }
  | { kind: 'utf16'; encoding: 'utf-16le' | 'utf-16be'; bom: boolean }
  | { kind: 'xlsx' };

/** Files people upload instead of a CSV, by their magic bytes: refused with what they are. */
const BINARIES: Array<[magic: number[], what: string]> = [
  [[0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1], 'an old Excel .xls (or other Office 97–2003) file'],
  [[0x25, 0x50, 0x44, 0x46], 'a PDF file'],
  [[0x89, 0x50, 0x4e, 0x47], 'a PNG image'],
  [[0xff, 0xd8, 0xff], 'a JPEG image'],
  [[0x47, 0x49, 0x46, 0x38], 'a GIF image'],
  [[0x1f, 0x8b], 'a gzip archive'],
  [[0x52, 0x61, 0x72, 0x21], 'a RAR archive'],
  [[0x37, 0x7a, 0xbc, 0xaf], 'a 7-Zip archive'],
  [[0x7b, 0x5c, 0x72, 0x74, 0x66], 'an RTF document'],
];

const SAVE_AS = 'save it as CSV UTF-8 (in Excel: File › Save As › CSV UTF-8), or upload the .xlsx';

/**
 * Tells UTF-8 text, UTF-16 text (Excel's "Unicode Text") and .xlsx workbooks apart by content, whatever the name
 * or content type says; anything else binary is refused naming what it is.
 */
export function detectFileKind(start: Buffer): FileKind {
  if (startsWith(start, [0xef, 0xbb, 0xbf])) return { kind: 'utf8', bom: true };
  if (startsWith(start, [0xff, 0xfe])) return { kind: 'utf16', encoding: 'utf-16le', bom: true };
  if (startsWith(start, [0xfe, 0xff])) return { kind: 'utf16', encoding: 'utf-16be', bom: true };
  if (startsWith(start, [0x50, 0x4b, 0x03, 0x04])) return zipKind(start);
  for (const [magic, what] of BINARIES) if (startsWith(start, magic)) throw unparseable(`this is ${what}: ${SAVE_AS}`);
  const utf16 = utf16WithoutBom(start);
  if (utf16) return { kind: 'utf16', encoding: utf16, bom: false };
  if (looksBinary(start)) throw unparseable(`this is a binary file, not a recipient list: ${SAVE_AS}`);
  return { kind: 'utf8', bom: false };
}

/** An .xlsx is a zip whose parts are `[Content_Types].xml` and `xl/…`; Word, PowerPoint and OpenDocument too. */
function zipKind(start: Buffer): FileKind {
  const names = start.toString('latin1');
  if (names.includes('xl/')) return { kind: 'xlsx' };
  if (names.includes('word/')) throw unparseable(`this is a Word document: ${SAVE_AS}`);
  if (names.includes('ppt/')) throw unparseable(`this is a PowerPoint file: ${SAVE_AS}`);
  if (names.includes('opendocument')) throw unparseable(`this is an OpenDocument file (.ods/.odt): ${SAVE_AS}`);
  if (names.includes('[Content_Types].xml')) return { kind: 'xlsx' };
  throw unparseable(`this is a ZIP archive: unzip it and upload the list inside, or ${SAVE_AS}`);
}

/** UTF-16 without a BOM: every other byte of the start is NUL (ASCII headers). */
function utf16WithoutBom(start: Buffer): 'utf-16le' | 'utf-16be' | undefined {
  // The first characters are the header's, ASCII in the files this is for.
  const n = Math.min(start.length, 64) & ~1;
  if (n < 4) return undefined;
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (start[i] === 0) evenNul++;
    if (start[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (oddNul >= pairs * 0.9 && evenNul === 0) return 'utf-16le';
  if (evenNul >= pairs * 0.9 && oddNul === 0) return 'utf-16be';
  return undefined;
}

/**
 * NUL bytes in the first line, or as a tenth of the start: binary. A text file with a stray NUL in a cell is read, and
 * that row is refused naming the field (wherever it is in the file).
 */
function looksBinary(start: Buffer): boolean {
  const first = start.indexOf(0);
  if (first < 0) return false;
  const newline = start.indexOf(0x0a);
  if (newline < 0 || first < newline) return true;
  let nuls = 0;
  for (let i = first; i < start.length; i++) if (start[i] === 0) nuls++;
  return nuls * 10 >= start.length;
}

function startsWith(buf: Buffer, magic: number[]): boolean {
  return buf.length >= magic.length && magic.every((b, i) => buf[i] === b);
}
