// `pnpm demo`: start everything, send the examples/ campaign through the sandbox, show progress,
// print the report summary.
import { createReadStream, createWriteStream, mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { SingleBar, Presets } from 'cli-progress';
import { startStack, REPO_ROOT } from '@sobot/devkit';

const FILE = resolve(REPO_ROOT, 'examples', 'recipients.csv');

async function main(): Promise<void> {
  const env = { LOG_LEVEL: 'warn', SEND_RATE: '20', ...process.env };
  const stack = await startStack({
    env,
    // The built apps: the root script builds them first (pnpm build, cached).
    built: true,
    // A little of the real world: slow answers, 10% 503s (retried), two numbers outside the 24-hour window.
    sandboxEnv: {
      SANDBOX_LATENCY_MS: '30-150',
      SANDBOX_ERROR_RATIO: '0.1',
      SANDBOX_CLOSED_NUMBERS: '919970000007,919970000013',
    },
  });
  try {
    const imageUrl =
      process.env.DEMO_IMAGE_URL ?? (stack.sandboxUrl ? `${stack.sandboxUrl}/images/sample.jpg` : undefined);
    if (!imageUrl)
      throw new Error('set DEMO_IMAGE_URL to a public .jpg or .png when sending through the real Sobot API');
    const api = (path: string, init: RequestInit = {}) =>
      fetch(`${stack.producerUrl}${path}`, {
        ...init,
        headers: { authorization: `Bearer ${stack.apiKey}`, ...(init.headers ?? {}) },
      });

    const query = new URLSearchParams({
      name: 'demo campaign',
      image_url: imageUrl,
      caption: 'Our new collection is here!',
      // The demo may run again on the same Redis within a day: not a double by accident (SPEC §20).
      force: 'true',
    });
    const upload = await api(`/v1/campaigns?${query}`, {
      method: 'POST',
      headers: { 'content-type': 'text/csv' },
      body: Readable.toWeb(createReadStream(FILE)) as ReadableStream,
      duplex: 'half',
    } as RequestInit);
    const created = (await upload.json()) as {
      id: string;
      total: number;
      accepted: number;
      rejected: number;
      duplicates: number;
      errors: Array<{ row: number; field: string; message: string }>;
    };
    if (upload.status !== 202) throw new Error(`upload refused: ${JSON.stringify(created)}`);
    console.log(
      `\nuploaded ${FILE}: ${created.total} rows, ${created.accepted} accepted, ` +
        `${created.rejected} rejected, ${created.duplicates} duplicates`,
    );
    for (const e of created.errors) console.log(`  row ${e.row}: ${e.field} ${e.message}`);

    const bar = new SingleBar(
      { format: ' sending |{bar}| {value}/{total} | {rate} msg/s | ETA {eta_formatted} | {status}', hideCursor: true },
      Presets.shades_classic,
    );
    bar.start(created.accepted, 0, { rate: 0, status: 'queued' });
    type View = {
      status: string;
      rate: number;
      counts: { sent: number; failed: number; skipped: number; pending: number; delivered: number };
      failure_reasons: Array<{ code: string; count: number; message: string }>;
    };
    let view: View;
    for (;;) {
      view = (await (await api(`/v1/campaigns/${created.id}`)).json()) as View;
      const ended = view.counts.sent + view.counts.failed + view.counts.skipped;
      bar.update(ended, { rate: view.rate, status: view.status });
      if (view.status === 'completed' || view.status === 'cancelled') break;
      await new Promise((r) => setTimeout(r, 250));
    }
    bar.stop();

    const out = resolve(REPO_ROOT, '.data', `demo-report-${created.id}.csv`);
    mkdirSync(resolve(REPO_ROOT, '.data'), { recursive: true });
    const report = await api(`/v1/campaigns/${created.id}/report?format=csv`);
    await pipeline(Readable.fromWeb(report.body as import('node:stream/web').ReadableStream), createWriteStream(out));
    console.log(
      `\ncampaign ${created.id} ${view.status}: ${view.counts.sent} sent, ${view.counts.failed} failed, ` +
        `${view.counts.delivered} delivered so far (signed callbacks from the sandbox to the webhook)`,
    );
    for (const f of view.failure_reasons) console.log(`  failed ${f.count} × ${f.code}: ${f.message}`);
    console.log(`report (one row per recipient, with its wamid or failure reason): ${out}\n`);
  } finally {
    await stack.stop();
  }
}

main().then(
  () => process.exit(0),
  (err: unknown) => {
    console.error(err instanceof Error ? err.message : err);
    process.exit(1);
  },
);
