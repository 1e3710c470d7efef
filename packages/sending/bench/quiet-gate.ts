/**
 * What quiet hours cost the send path, per recipient: the zone lookup by number and the quiet check, over
 * numbers of several countries (single-zone and multi-zone), first call (map load) apart:
 *   npx tsx packages/sending/bench/quiet-gate.ts [recipients]
 */
import type { SobotImageMessage } from '@sobot/schema';
import { QuietGate } from '../src/quiet-gate';
import { zonesOfNumber } from '../src/recipient-zones';

const N = Number(process.argv[2] ?? 1_000_000);
const prefixes = ['9198', '9170', '1201', '1310', '1907', '5255', '52200', '5281', '447', '5511', '7916', '6281'];
const messages: SobotImageMessage[] = Array.from({ length: N }, (_, i) => {
  const p = prefixes[i % prefixes.length]!;
  const n = `${p}${String((i * 7919) % 10 ** (12 - p.length)).padStart(12 - p.length, '0')}`;
  return { type: 'image', url: 'u', mime_type: 'image/jpeg', customer_number: n, customer_name: 'x' };
});

let t = performance.now();
zonesOfNumber('919812345678');
console.log(`first lookup (loads the prefix map): ${(performance.now() - t).toFixed(1)} ms`);

const gate = new QuietGate({ start: 21 * 60, end: 8 * 60 });
t = performance.now();
let held = 0;
for (const m of messages) if (gate.hold(m)) held += 1;
const ms = performance.now() - t;
console.log(`${N} recipients, ${held} held: ${((ms * 1000) / N).toFixed(2)} µs a recipient (${ms.toFixed(0)} ms)`);
