/**
 * Redis bytes per pending recipient (INFO used_memory before the upload vs after the 202, no worker
 * running) and the producer's peak RSS (VmHWM of a fresh producer process), for each size.
 */
import { recipientsCsv } from '../lib/csv-file';
import { fixed, int, procMemMiB, usedMemory } from '../lib/measure';
import { section, table, verdict, type Target } from '../lib/report';
import { newPrefix, startProducer, upload, type Stack } from '../lib/stack';

export interface MemoryOptions {
  sizes: number[];
}

interface Row {
  rows: number;
  seconds: number;
  bytesPerRecipient: number;
  idleMiB: number;
  peakMiB: number;
  afterMiB: number;
}

export async function memorySection(stack: Stack, o: MemoryOptions): Promise<Target[]> {
  section(`memory: Redis bytes per pending recipient, producer peak RSS (${o.sizes.map(int).join(', ')} rows)`);
  const warmFile = await recipientsCsv(stack.dir, 1_000);
  const { redis } = stack;
  const rows: Row[] = [];
  for (const size of o.sizes) {
    const file = await recipientsCsv(stack.dir, size);
    const producer = await startProducer(stack, newPrefix('bm'));
    try {
      await upload(producer, warmFile.path, stack.imageUrl);
      await redis.flushall();
      const idleMiB = procMemMiB(producer.app.pid, 'VmHWM');
      const mem0 = await usedMemory(redis);
      const up = await upload(producer, file.path, stack.imageUrl);
      const mem1 = await usedMemory(redis);
      const peakMiB = procMemMiB(producer.app.pid, 'VmHWM');
      const afterMiB = procMemMiB(producer.app.pid, 'VmRSS');
      rows.push({
        rows: up.accepted,
        seconds: (up.answeredAt - up.startedAt) / 1000,
        bytesPerRecipient: (mem1 - mem0) / up.accepted,
        idleMiB,
        peakMiB,
        afterMiB,
      });
    } finally {
      await producer.app.stop();
      await redis.flushall();
    }
  }
  table(
    [
      'rows',
      'upload s',
      'Redis bytes / pending recipient',
      'producer VmHWM after warm-up (MiB)',
      'peak RSS, VmHWM (MiB)',
      'RSS after the 202 (MiB)',
    ],
    rows.map((r) => [
      int(r.rows),
      fixed(r.seconds, 2),
      fixed(r.bytesPerRecipient),
      fixed(r.idleMiB),
      fixed(r.peakMiB),
      fixed(r.afterMiB),
    ]),
  );
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  if (rows.length > 1) {
    console.log(
      `\n  ${int(first.rows)} → ${int(last.rows)} rows (×${fixed(last.rows / first.rows, 0)}): ` +
        `Redis bytes/recipient ×${fixed(last.bytesPerRecipient / first.bytesPerRecipient, 2)}, ` +
        `producer peak RSS ${fixed(first.peakMiB)} → ${fixed(last.peakMiB)} MiB ` +
        `(+${fixed(last.peakMiB - first.peakMiB)} MiB)`,
    );
  }
  const worstBytes = Math.max(...rows.map((r) => r.bytesPerRecipient));
  const targets: Target[] = [
    { name: 'Redis ≤250 B/recipient', pass: worstBytes <= 250, value: `${fixed(worstBytes, 0)} B` },
  ];
  console.log(
    `  Redis bytes per pending recipient: worst ${fixed(worstBytes)} B  target ≤250  ${verdict(worstBytes <= 250)}`,
  );
  const million = rows.find((r) => r.rows >= 1_000_000);
  if (million) {
    targets.push({
      name: 'producer RSS ≤300 MiB @1M',
      pass: million.peakMiB <= 300,
      value: `${fixed(million.peakMiB, 0)} MiB`,
    });
    console.log(
      `  producer peak RSS for ${int(million.rows)} rows: ${fixed(million.peakMiB)} MiB  ` +
        `target ≤300  ${verdict(million.peakMiB <= 300)}`,
    );
  } else {
    console.log('  producer peak RSS at 1M rows: not measured (BENCH_QUICK)');
  }
  return targets;
}
