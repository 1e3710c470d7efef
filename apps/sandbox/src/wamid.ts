import { randomBytes } from 'node:crypto';

// Real wamids are base64 of a small binary record holding the recipient and an 18-hex-digit id; the
// same layout here keeps them the same length and alphabet. The id is a random per-process prefix
// plus a counter, so no two are ever equal within a process (and almost surely not across processes).
const HEAD = Buffer.from([0x18]);
const MIDDLE = Buffer.from([0x15, 0x02, 0x00, 0x11, 0x18, 0x12]);
const TAIL = Buffer.from([0x00]);
const PROCESS_ID = randomBytes(4).toString('hex').toUpperCase();
let counter = 0;

/** A fresh `wamid.<base64>` for `number` (at most 80 characters for a 15-digit number). */
export function newWamid(number: string): string {
  counter++;
  const id = PROCESS_ID + counter.toString(16).toUpperCase().padStart(10, '0');
  const record = Buffer.concat([
    HEAD,
    Buffer.from([number.length]),
    Buffer.from(number),
    MIDDLE,
    Buffer.from(id),
    TAIL,
  ]);
  return `wamid.${record.toString('base64')}`;
}
