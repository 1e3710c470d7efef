import { constants, createDeflateRaw, crc32, deflateRawSync } from 'node:zlib';

/** A part already deflated (deflateRepeated): its deflated bytes, and the size and CRC of what they inflate to. */
export interface Deflated {
  deflated: Buffer;
  size: number;
  crc: number;
}

/** A part of a zip made by zipOf, deflated; `declaredSize` is what the headers claim it expands to. */
export interface ZipPart {
  name: string;
  data: Buffer | string | Deflated;
  declaredSize?: number;
}

/**
 * `head`, then `unit` `count` times, then `tail`, deflated as a stream: a part that expands to gigabytes from a few
 * megabytes, made without holding what it expands to.
 */
export async function deflateRepeated(head: string, unit: string, count: number, tail: string): Promise<Deflated> {
  const deflate = createDeflateRaw({ level: constants.Z_BEST_COMPRESSION });
  const out: Buffer[] = [];
  deflate.on('data', (c: Buffer) => out.push(c));
  const done = new Promise<void>((resolve, reject) => deflate.once('end', resolve).once('error', reject));
  let crc = 0;
  let size = 0;
  const write = async (b: Buffer) => {
    crc = crc32(b, crc);
    size += b.length;
    if (!deflate.write(b)) await new Promise((r) => deflate.once('drain', r));
  };
  await write(Buffer.from(head));
  // Units batched into ~1 MiB writes.
  const per = Math.max(1, Math.floor(2 ** 20 / Math.max(1, Buffer.byteLength(unit))));
  const batch = Buffer.from(unit.repeat(per));
  let left = count;
  for (; left >= per; left -= per) await write(batch);
  if (left > 0) await write(Buffer.from(unit.repeat(left)));
  await write(Buffer.from(tail));
  deflate.end();
  await done;
  return { deflated: Buffer.concat(out), size, crc };
}

/**
 * A zip archive of `parts`, in their order (a workbook with its sheet first, a part whose headers lie about its size:
 * what a hand-made or hostile file may hold and a spreadsheet program never writes).
 */
export function zipOf(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const part of parts) {
    const { deflated: packed, size: realSize, crc } = deflated(part.data);
    const name = Buffer.from(part.name, 'utf8');
    const size = part.declaredSize ?? realSize;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(0x21, 12); // 1980-01-01
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x0800, 8);
    central.writeUInt16LE(8, 10);
    central.writeUInt16LE(0x21, 14);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += local.length + name.length + packed.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

function deflated(data: ZipPart['data']): Deflated {
  if (typeof data !== 'string' && !Buffer.isBuffer(data)) return data;
  const bytes = Buffer.isBuffer(data) ? data : Buffer.from(data, 'utf8');
  return { deflated: deflateRawSync(bytes), size: bytes.length, crc: crc32(bytes) };
}

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The parts of a one-sheet workbook around `sheetData` (the `<row>`s), in the order Excel writes them. */
export function workbookParts(sheetData: string | Deflated, sharedStrings?: string[] | string | Deflated): ZipPart[] {
  const strings =
    sharedStrings === undefined
      ? undefined
      : !Array.isArray(sharedStrings)
        ? sharedStrings
        : `<?xml version="1.0" encoding="UTF-8"?><sst xmlns="${MAIN}">` +
          sharedStrings.map((s) => `<si><t>${s}</t></si>`).join('') +
          '</sst>';
  return [
    {
      name: '[Content_Types].xml',
      data:
        '<?xml version="1.0" encoding="UTF-8"?>' +
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">' +
        '<Override PartName="/xl/workbook.xml" ' +
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        '</Types>',
    },
    {
      name: 'xl/workbook.xml',
      data:
        `<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="${MAIN}" xmlns:r="${REL}">` +
        '<sheets><sheet name="List" sheetId="1" r:id="rId1"/></sheets></workbook>',
    },
    {
      name: 'xl/_rels/workbook.xml.rels',
      data:
        '<?xml version="1.0" encoding="UTF-8"?>' +
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">' +
        `<Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/>` +
        `<Relationship Id="rId2" Type="${REL}/sharedStrings" Target="sharedStrings.xml"/>` +
        '</Relationships>',
    },
    ...(strings === undefined ? [] : [{ name: 'xl/sharedStrings.xml', data: strings }]),
    {
      name: 'xl/worksheets/sheet1.xml',
      data:
        typeof sheetData === 'string'
          ? `<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="${MAIN}">` +
            `<sheetData>${sheetData}</sheetData></worksheet>`
          : sheetData,
    },
  ];
}
