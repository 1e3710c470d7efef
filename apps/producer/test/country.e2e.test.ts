/**
 * SPEC §20 "The right country" end to end (issue 19): producer and worker as real processes, a real Redis, the
 * sandbox over loopback, no DEFAULT_COUNTRY_CODE. A list of Indian numbers written with their code and five bare
 * `65812345xx` (Singapore +65 8123 45xx, or India +91 65812 345xx): no Singapore number may reach the sandbox.
 */
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

beforeEach(() => sandbox.reset());

const indian = Array.from({ length: 95 }, (_, i) => `9199710${String(i).padStart(5, '0')}`);
const bare = Array.from({ length: 5 }, (_, i) => `65812345${String(i).padStart(2, '0')}`);
const list = ['phone,name', ...indian.map((n, i) => `${n},India ${i}`), ...bare.map((n, i) => `${n},Bare ${i}`)].join(
  '\n',
);

const sentNumbers = () => Object.keys(sandbox.stats().byNumber).sort();

test('no country: the five bare numbers are row errors naming both readings; none reaches the sandbox', async () => {
  const up = await sys.upload(list, { image_url: image });
  expect(up.status).toBe(202);
  expect(up.body).toMatchObject({
    total: 100,
    accepted: 95,
    rejected: 5,
    countries: { IN: 95 },
    country: 'IN',
    country_source: 'inferred',
  });
  expect(up.body.errors.map((e: { row: number }) => e.row)).toEqual([96, 97, 98, 99, 100]);
  for (const e of up.body.errors) {
    expect(e.message).toMatch(/Singapore \(SG\) \+65 8123 45\d\d, or India \(IN\) \+91 [\d ]+/);
    expect(e.message).toMatch(/country=IN/);
  }
  await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed');
  expect(sentNumbers()).toEqual([...indian].sort());
  expect(sentNumbers().some((n) => n.startsWith('65'))).toBe(false);
});

test('with country=IN (a multipart field) the five are read as Indian numbers', async () => {
  const form = new FormData();
  form.append('image_url', image);
  form.append('country', 'IN');
  form.append('file', new Blob([list], { type: 'text/csv' }), 'list.csv');
  const res = await sys.api('/v1/campaigns', { method: 'POST', body: form });
  const body = await json(res);
  expect(res.status).toBe(202);
  expect(body).toMatchObject({ accepted: 100, rejected: 0, countries: { IN: 100 }, country_source: 'option' });
  await sys.waitForCampaign(body.id, (c) => c.status === 'completed');
  expect(sentNumbers()).toEqual([...indian, ...bare.map((n) => `91${n}`)].sort());
});

test('a list whose first rows mislead the guess is read again: the campaign holds each recipient once', async () => {
  // 1,000 Singapore numbers first (the guess: SG), then 4,000 Indian ones: 80% India, and a bare number.
  const sg = Array.from({ length: 1_000 }, (_, i) => `+65 8123 ${String(i).padStart(4, '0')}`);
  const ind = Array.from({ length: 4_000 }, (_, i) => `+91 99720 ${String(i).padStart(5, '0')}`);
  const file = ['phone,name', ...[...sg, ...ind].map((n) => `${n},P`), '6581234567,Bare'].join('\n');
  const up = await sys.upload(file, { image_url: image });
  expect(up.status).toBe(202);
  expect(up.body).toMatchObject({ accepted: 5_000, rejected: 1, country: 'IN', countries: { IN: 4_000, SG: 1_000 } });
  const done = await sys.waitForCampaign(up.body.id, (c) => c.status === 'completed');
  expect(done.counts).toMatchObject({ total: 5_000, sent: 5_000 });
  const sent = sentNumbers();
  expect(sent).toHaveLength(5_000);
  expect(sent).not.toContain('6581234567');
  expect(sent).not.toContain('916581234567');
});

test('a dry run carries the countries; an unknown country is 400 UNKNOWN_COUNTRY and leaves nothing', async () => {
  const dry = await sys.upload(list, { image_url: image, dry_run: 'true', country: 'in' });
  expect(dry.status).toBe(200);
  expect(dry.body).toMatchObject({ dry_run: true, countries: { IN: 100 }, country: 'IN', country_source: 'option' });

  const before = JSON.stringify(await json(await sys.api('/v1/campaigns')));
  const refused = await sys.upload(list, { image_url: image, country: 'XX' });
  expect(refused.status).toBe(400);
  expect(refused.body.error).toMatchObject({ code: 'UNKNOWN_COUNTRY', message: expect.stringMatching(/"XX"/) });
  expect(JSON.stringify(await json(await sys.api('/v1/campaigns')))).toBe(before);
  expect(sentNumbers()).toEqual([]);
});
