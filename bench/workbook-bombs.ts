/**
 * Workbook bombs against a producer process at its default limits (SPEC §22, issue 20): for each kind, a fresh
 * producer (own redis-server, TMPDIR of its own) gets N concurrent uploads of the bomb; the bench prints each
 * answer, the producer's idle RSS, its peak (VmHWM) and its RSS after, and what is left in its temp directory.
 *
 *   pnpm exec tsx bench/workbook-bombs.ts [--concurrent 3] [--kinds shared-strings,huge-cell,expanded]
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  deflateRepeated,
  freePort,
  spawnApp,
  startRedisServer,
  waitForHttp,
  workbookParts,
  zipOf,
} from '../packages/devkit/src';
import { fixed, procMemMiB, sleep } from './lib/measure';

const arg = (name: string, fallback: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
};
const concurrent = Number(arg('concurrent', '3'));
const kinds = arg('kinds', 'shared-strings,huge-cell,expanded').split(',');
const TOKEN = 'bench-bombs';
const HEADER = '<row r="1"><c r="A1" t="inlineStr"><is><t>phone</t></is></c></row>';
const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';

/** The bombs of the issue: each a few MB that expands to about 2 GB. */
const BOMBS: Record<string, () => Promise<Buffer>> = {
  // Shared strings of 1 KiB each, 2 GiB of them (the issue's 5 MB file that killed the producer).
  'shared-strings': async () =>
    zipOf(
      workbookParts(
        HEADER,
        await deflateRepeated(`<sst xmlns="${MAIN}">`, `<si><t>${'s'.repeat(1011)}</t></si>`, 2 * 2 ** 20, '</sst>'),
      ),
    ),
  // One cell of 1 GiB (the issue's 1 MB file that held 702 MB).
  'huge-cell': async () =>
    zipOf(
      workbookParts(
        await deflateRepeated(
          `<worksheet xmlns="${MAIN}"><sheetData>${HEADER}<row r="2"><c r="A2" t="inlineStr"><is><t>`,
          'x'.repeat(1024),
          2 ** 20,
          '</t></is></c></row></sheetData></worksheet>',
        ),
      ),
    ),
  // 2 GiB of rows, each small: streamed, stopped at MAX_XLSX_EXPANDED_BYTES.
  expanded: async () =>
    zipOf(
      workbookParts(
        await deflateRepeated(
          `<worksheet xmlns="${MAIN}"><sheetData>${HEADER}`,
          `<row><c t="inlineStr"><is><t>${'r'.repeat(990)}</t></is></c></row>`,
          2 * 2 ** 20,
          '</sheetData></worksheet>',
        ),
      ),
    ),
};

/**
 * The bomb with its sheet or shared strings part declaring `declared` bytes: `honest` (refused from the zip's
 * headers before inflating), or `lying` (just under the default limits: only the counts made while inflating stop it).
 */
async function bombOf(kind: string, declared: 'honest' | 'lying'): Promise<Buffer> {
  const book = await BOMBS[kind]!();
  if (declared === 'honest') return book;
  // Rebuild with the lie: the last part is the one that explodes (sheet, or the shared strings before it).
  return BOMB_LIES[kind]!();
}

/** Under MAX_XLSX_SHARED_STRINGS (256 MiB) and MAX_XLSX_EXPANDED_BYTES (1 GiB). */
const LIE = { sharedStrings: 255 * 2 ** 20, sheet: 2 ** 30 - 2 ** 20 };
const BOMB_LIES: Record<string, () => Promise<Buffer>> = {
  'shared-strings': async () => {
    const parts = workbookParts(
      HEADER,
      await deflateRepeated(`<sst xmlns="${MAIN}">`, `<si><t>${'s'.repeat(1011)}</t></si>`, 2 * 2 ** 20, '</sst>'),
    );
    parts.find((p) => p.name === 'xl/sharedStrings.xml')!.declaredSize = LIE.sharedStrings;
    return zipOf(parts);
  },
  'huge-cell': async () => lyingSheet(await sheetOf('huge-cell')),
  expanded: async () => lyingSheet(await sheetOf('expanded')),
};

async function sheetOf(kind: 'huge-cell' | 'expanded') {
  return kind === 'huge-cell'
    ? deflateRepeated(
        `<worksheet xmlns="${MAIN}"><sheetData>${HEADER}<row r="2"><c r="A2" t="inlineStr"><is><t>`,
        'x'.repeat(1024),
        2 ** 20,
        '</t></is></c></row></sheetData></worksheet>',
      )
    : deflateRepeated(
        `<worksheet xmlns="${MAIN}"><sheetData>${HEADER}`,
        `<row><c t="inlineStr"><is><t>${'r'.repeat(990)}</t></is></c></row>`,
        2 * 2 ** 20,
        '</sheetData></worksheet>',
      );
}

function lyingSheet(sheet: Awaited<ReturnType<typeof sheetOf>>): Buffer {
  const parts = workbookParts(sheet);
  parts.find((p) => p.name === 'xl/worksheets/sheet1.xml')!.declaredSize = LIE.sheet;
  return zipOf(parts);
}

async function run(kind: string, declared: 'honest' | 'lying'): Promise<void> {
  const book = await bombOf(kind, declared);
  const temp = mkdtempSync(join(tmpdir(), 'bench-bombs-'));
  const redis = await startRedisServer({ dir: temp, appendonly: false });
  const port = await freePort();
  const producer = spawnApp('producer', {
    REDIS_URL: redis.url,
    REDIS_PREFIX: 'bench',
    PORT: String(port),
    HOST: '127.0.0.1',
    API_KEYS: TOKEN,
    LOG_LEVEL: 'warn',
    TMPDIR: temp,
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitForHttp(`${base}/readyz`, 60_000);
    await sleep(1000);
    const idle = procMemMiB(producer.pid, 'VmRSS');
    const started = Date.now();
    const answers = await Promise.all(
      Array.from({ length: concurrent }, async () => {
        const res = await fetch(`${base}/v1/campaigns?image_url=https%3A%2F%2Fcdn.example.com%2Fa.jpg`, {
          method: 'POST',
          headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/octet-stream' },
          body: book,
        });
        const body = (await res.json()) as { error?: { code: string } };
        return `${res.status} ${body.error?.code ?? ''} ${fixed((Date.now() - started) / 1000)} s`;
      }),
    );
    const peak = procMemMiB(producer.pid, 'VmHWM');
    const after = procMemMiB(producer.pid, 'VmRSS');
    await sleep(5000);
    const later = procMemMiB(producer.pid, 'VmRSS');
    const next = await fetch(`${base}/v1/campaigns`, { headers: { authorization: `Bearer ${TOKEN}` } });
    const left = readdirSync(temp).filter((n) => n.startsWith('sobot-upload-'));
    console.log(
      `${kind} (${declared} sizes): ${fixed(book.length / 2 ** 20)} MiB file × ${concurrent} → ` +
        `${answers.join(', ')}; ` +
        `RSS idle ${fixed(idle)} MiB, peak ${fixed(peak)} MiB, after ${fixed(after)} MiB, 5 s later ` +
        `${fixed(later)} MiB; next request ${next.status}; temp dirs left ${left.length}; producer ` +
        `${producer.child.exitCode === null ? 'alive' : `exited ${producer.child.exitCode}`}`,
    );
  } finally {
    await producer.stop('SIGKILL');
    await redis.stop();
    rmSync(temp, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  for (const declared of ['honest', 'lying'] as const) for (const kind of kinds) await run(kind, declared);
}

void main();
