/**
 * SPEC §17 end to end: a report goes back in as an upload and names the same recipients. Producer and worker
 * run as processes against a real Redis and the sandbox over loopback. The first campaign is cancelled before it
 * sends (the "send the rest of a cancelled campaign" case) or runs to the end; its CSV or xlsx report is uploaded
 * as a new campaign, with another caption, scheduled an hour ahead so that nothing is sent twice; the new
 * campaign's recipients (its report) must be the old ones, numbers and names.
 */
import { parse } from 'csv-parse/sync';
import type { Sandbox } from '@sobot/sandbox';
import { json, type System } from '@sobot/devkit';
import { closeSandboxSystem, startSandboxSystem, type SandboxSystem } from './sandbox-system';

let env: SandboxSystem;
let sandbox: Sandbox;
let sys: System;
let image: string;

beforeAll(async () => {
  env = await startSandboxSystem({ latencyMs: 2 });
  ({ sandbox, sys, image } = env);
});

afterAll(async () => {
  await closeSandboxSystem(env ?? {});
});

/** Names as lists have them: scripts, emoji, commas, quotes, a line break. */
const NAMES = ['अनिता शर्मा', 'محمد 🎉', 'Zoë, "Z" Ω', 'Line one\nline two', 'Ben', '陳大文', 'O’Brien'];
const people = (first: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    number: String(919_970_030_000 + first + i),
    name: `${NAMES[i % NAMES.length]} ${i}`,
  }));
const csvOf = (list: Array<{ number: string; name: string }>) => {
  const lines = list.map((p) => `${p.number},"${p.name.replace(/"/g, '""')}"`).join('\r\n');
  return `\uFEFFcustomer_number,customer_name\r\n${lines}\r\n`;
};

const inAnHour = () => new Date(Date.now() + 3_600_000).toISOString();

/** A campaign's recipients as its report lists them, in number order. */
async function recipients(id: string): Promise<Array<[string, string]>> {
  return (await sys.reportRows(id))
    .map((r): [string, string] => [r.customer_number, r.customer_name])
    .sort(([a], [b]) => a.localeCompare(b));
}

async function download(id: string, format: 'csv' | 'xlsx'): Promise<{ type: string; name: string; bytes: Buffer }> {
  const res = await sys.api(`/v1/campaigns/${id}/report?format=${format}`);
  expect(res.status).toBe(200);
  return {
    type: res.headers.get('content-type') ?? '',
    name: res.headers.get('content-disposition') ?? '',
    bytes: Buffer.from(await res.arrayBuffer()),
  };
}

/** Uploads a file as a browser would (multipart), scheduled an hour ahead so nothing is sent. */
async function uploadFile(file: Buffer, filename: string, type: string, caption: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries({ image_url: image, caption, send_at: inAnHour() })) form.append(k, v);
  form.append('file', new Blob([file], { type }), filename);
  const res = await sys.api('/v1/campaigns', { method: 'POST', body: form });
  return { status: res.status, body: await json(res) };
}

test("a cancelled campaign's CSV report uploads back as the same recipients", async () => {
  const list = people(0, 40);
  const first = await sys.upload(csvOf(list), { image_url: image, caption: 'Sale', send_at: inAnHour() });
  expect(first.status).toBe(202);
  expect(first.body.accepted).toBe(40);
  expect((await sys.api(`/v1/campaigns/${first.body.id}/cancel`, { method: 'POST' })).status).toBe(200);
  await sys.waitForCampaign(first.body.id, (c) => c.status === 'cancelled');
  const before = await recipients(first.body.id);
  expect(before).toEqual(list.map((p) => [p.number, p.name]));

  const report = await download(first.body.id, 'csv');
  expect(report.type).toBe('text/csv; charset=utf-8');
  // What pandas, Python's csv or csv-parse read: the digits, as written.
  const rows: string[][] = parse(report.bytes, { bom: true });
  expect(rows[0]?.slice(0, 3)).toEqual(['customer_number', 'customer_name', 'status']);
  expect(rows.slice(1).map((r) => r[0])).toEqual(list.map((p) => p.number));
  expect(rows.slice(1).every((r) => r[2] === 'cancelled')).toBe(true);

  const again = await uploadFile(report.bytes, `report-${first.body.id}.csv`, 'text/csv', 'Sale, the rest');
  expect(again.status).toBe(202);
  expect(again.body).toMatchObject({ total: 40, accepted: 40, rejected: 0, duplicates: 0 });
  expect(await recipients(again.body.id)).toEqual(before);
  await sys.api(`/v1/campaigns/${again.body.id}/cancel`, { method: 'POST' });
});

test("a sent campaign's xlsx report re-uploads as the same recipients; CSV keeps numbers, wamids plain", async () => {
  const list = people(100, 30);
  const first = await sys.upload(csvOf(list), { image_url: image, caption: 'Hello' });
  expect(first.status).toBe(202);
  await sys.waitForCampaign(first.body.id, (c) => c.status === 'completed');
  const before = await recipients(first.body.id);
  expect(before).toEqual(list.map((p) => [p.number, p.name]));

  const csv = await download(first.body.id, 'csv');
  const rows: string[][] = parse(csv.bytes, { bom: true, columns: true });
  const { wamids } = sandbox.stats();
  for (const r of rows as unknown as Array<Record<string, string>>) {
    expect(r.customer_number).toMatch(/^\d{12}$/);
    expect(r.wamid).toBe(wamids[r.customer_number ?? '']?.[0]);
  }

  const xlsx = await download(first.body.id, 'xlsx');
  expect(xlsx.type).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
  expect(xlsx.name).toBe(`attachment; filename="report-${first.body.id}.xlsx"`);
  const type = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
  const again = await uploadFile(xlsx.bytes, `report-${first.body.id}.xlsx`, type, 'Hello again');
  expect(again.status).toBe(202);
  expect(again.body).toMatchObject({ total: 30, accepted: 30, rejected: 0, duplicates: 0 });
  expect(await recipients(again.body.id)).toEqual(before);
  await sys.api(`/v1/campaigns/${again.body.id}/cancel`, { method: 'POST' });
});
