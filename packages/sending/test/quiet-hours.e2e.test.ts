import { staysAt, waitFor } from '@sobot/devkit';
import { formatQuietHours, type QuietSpan } from '@sobot/schema';
import type { CampaignView } from '@sobot/schema';
import { commitCampaign, startRig, type SendingRig } from './helpers';

/**
 * SPEC §10 quiet hours against a real Redis, the sandbox and one worker in this process. Each span is chosen
 * around the real current time in one zone, so that it covers "now" there and not in the others: India
 * (Asia/Kolkata, UTC+5:30), Mexico City (UTC-6), New York (UTC-5/-4) and Tijuana (UTC-8/-7) are hours apart.
 */
let rig: SendingRig;
let series = 0;
/** The worker's clock for quiet hours: the real time unless a test holds it at an instant. */
let heldAt: number | undefined;

beforeAll(async () => {
  rig = await startRig({ sendRate: 200, concurrency: 20, clock: () => heldAt ?? Date.now() });
});

afterEach(() => {
  heldAt = undefined;
});

afterAll(async () => {
  await rig?.close();
});

const MIN = 60_000;
/** Local minutes after midnight of `ms` in `zone`. */
function localMinute(zone: string, ms: number): number {
  const f = new Intl.DateTimeFormat('en-US', { timeZone: zone, hourCycle: 'h23', hour: 'numeric', minute: 'numeric' });
  const [h = 0, m = 0] = f
    .formatToParts(ms)
    .filter((p) => p.type !== 'literal')
    .map((p) => Number(p.value));
  return h * 60 + m;
}
const wrap = (m: number) => ((m % 1440) + 1440) % 1440;

/** A span from `beforeMin` minutes before now to `afterMin` minutes after now in `zone`; its end as an instant. */
function spanAround(
  zone: string,
  beforeMin: number,
  afterMin: number,
  now = Date.now(),
): { span: QuietSpan; endsAt: number } {
  const minuteStart = now - (now % MIN);
  const local = localMinute(zone, now);
  return {
    span: { start: wrap(local - beforeMin), end: wrap(local + afterMin) },
    endsAt: minuteStart + afterMin * MIN,
  };
}

/** Distinct numbers for one test: `prefix` + a series digit pair + a counter, 12 or 13 digits. */
function numbers(prefix: string, count: number, length = 12): string[] {
  series += 1;
  const head = `${prefix}${String(series).padStart(2, '0')}`;
  return Array.from({ length: count }, (_, i) => `${head}${String(i).padStart(length - head.length, '0')}`);
}

/** Commits a campaign with quiet hours; `zones` gives some numbers a `timezone` column value. */
const campaign = (list: string[], span: QuietSpan, zones: Record<string, string> = {}) =>
  commitCampaign(rig, list, { name: 'quiet', quietHours: span }, zones);

const received = (list: string[]) => {
  const by = rig.sandbox.stats().byNumber;
  return list.filter((n) => (by[n] ?? 0) > 0);
};
const view = async (id: string): Promise<CampaignView> => (await rig.store.campaigns.view(id))!;

test('recipients in their quiet hours wait, the others are sent; a timezone column overrides the number', async () => {
  rig.sandbox.reset();
  const { span, endsAt } = spanAround('Asia/Kolkata', 60, 30);
  const india = numbers('9198', 4);
  const mexico = numbers('5255', 3);
  const newYork = numbers('1201', 3, 11);
  // An Indian number said to be in Mexico City is sent; a Mexican one said to be in Kolkata waits.
  const [indiaInMexico] = numbers('9197', 1);
  const [mexicoInIndia] = numbers('5281', 1);
  const zones = { [indiaInMexico!]: 'America/Mexico_City', [mexicoInIndia!]: 'Asia/Kolkata' };
  const id = await campaign([...india, ...mexico, ...newYork, indiaInMexico!, mexicoInIndia!], span, zones);

  const free = [...mexico, ...newYork, indiaInMexico!];
  await waitFor(() => received(free).length === free.length, { what: 'the recipients outside quiet hours' });
  const v = await waitFor(async () => {
    const c = await view(id);
    return c.counts.waiting === 5 ? c : undefined;
  });
  expect(received([...india, mexicoInIndia!])).toEqual([]);
  expect(v.quiet_hours).toBe(formatQuietHours(span));
  expect(v.counts).toMatchObject({ total: 12, sent: 7, pending: 5, waiting: 5 });
  expect(v.waiting_until).toBe(new Date(endsAt).toISOString());
  expect(v.status).toBe('running');
  // The ETA counts the wait: at least until the span ends.
  expect(v.eta_seconds).toBeGreaterThanOrEqual(Math.floor((endsAt - Date.now()) / 1000) - 1);
  // The chunk is back in the queue for the end of the span, not sending the waiting ones meanwhile.
  expect(await staysAt(() => received([...india, mexicoInIndia!]).length, 0, 1_500)).toBe(true);
  expect((await view(id)).status).toBe('running');
  await rig.store.control.cancel(id);
  expect((await view(id)).counts.waiting).toBe(0);
});

test('a number whose country spans zones waits while any of its zones is quiet', async () => {
  rig.sandbox.reset();
  // +52 200 is Mexico City or Tijuana (libphonenumber's map); +52 55 is Mexico City only.
  const { span, endsAt } = spanAround('America/Tijuana', 30, 45);
  expect(localMinute('America/Mexico_City', Date.now())).not.toBe(localMinute('America/Tijuana', Date.now()));
  const open = numbers('52200', 3);
  const capital = numbers('5255', 3);
  const id = await campaign([...open, ...capital], span);
  await waitFor(() => received(capital).length === 3, { what: 'the Mexico City numbers' });
  const v = await waitFor(async () => {
    const c = await view(id);
    return c.counts.waiting === 3 ? c : undefined;
  });
  expect(received(open)).toEqual([]);
  expect(v.waiting_until).toBe(new Date(endsAt).toISOString());
  await rig.store.control.cancel(id);
});

test('chunks that only wait give their turn to the next chunks of their campaign (fair share)', async () => {
  rig.sandbox.reset();
  const { span } = spanAround('Asia/Kolkata', 60, 30);
  // Chunks of 200, four in circulation: the first five hold only Indian numbers (all wait), the last two New York.
  const india = numbers('9198', 1000);
  const newYork = numbers('1201', 400, 11);
  const id = await campaign([...india, ...newYork], span);
  await waitFor(() => received(newYork).length === 400, {
    timeoutMs: 60_000,
    what: 'the chunks after the waiting ones',
  });
  const v = await waitFor(async () => {
    const c = await view(id);
    return c.counts.waiting === 1000 && c.counts.sent === 400 ? c : undefined;
  });
  expect(received(india)).toEqual([]);
  expect(v.counts).toMatchObject({ sent: 400, pending: 1000 });
  await rig.store.control.cancel(id);
}, 90_000);

test('when the span ends the waiting ones are sent exactly once and the campaign completes', async () => {
  rig.sandbox.reset();
  // The worker's clock is held a second before the span ends (the next minute boundary but one), so the waiting
  // state can be checked at leisure; then the clock moves past the end instead of the test waiting for it.
  const t = Date.now();
  const boundary = t - (t % MIN) + 2 * MIN;
  heldAt = boundary - 1_000;
  const { span, endsAt } = spanAround('Asia/Kolkata', 60, 1, heldAt);
  expect(endsAt).toBe(boundary);
  const india = numbers('9198', 5);
  const newYork = numbers('1201', 5, 11);
  const id = await campaign([...india, ...newYork], span);

  await waitFor(() => received(newYork).length === 5, { what: 'the New York numbers' });
  // The New York outcomes and the chunk's waiting tally are written just after the sandbox saw the requests.
  const v = await waitFor(async () => {
    const c = await view(id);
    return c.counts.waiting === 5 && c.counts.pending === 5 ? c : undefined;
  });
  expect(v.waiting_until).toBe(new Date(endsAt).toISOString());
  // The chunk wakes again and again (a second each on the held clock) and keeps them waiting.
  expect(await staysAt(() => received(india).length, 0, 2_500)).toBe(true);

  const movedAt = Date.now();
  heldAt = endsAt;
  await waitFor(async () => (await view(id)).status === 'completed', {
    timeoutMs: 30_000,
    what: 'the campaign to complete after the span',
  });
  const all = rig.sandbox.stats().received.filter((r) => india.includes(r.number));
  expect(all.map((r) => r.number).sort()).toEqual([...india].sort());
  for (const r of all) expect(r.at).toBeGreaterThanOrEqual(movedAt);
  const done = await view(id);
  expect(done.counts).toMatchObject({ total: 10, sent: 10, pending: 0, waiting: 0 });
  expect(done.waiting_until).toBeNull();
});

test('a campaign without quiet hours shows none', async () => {
  rig.sandbox.reset();
  const list = numbers('9198', 2);
  const writer = rig.store.newCampaign({ image_url: rig.image });
  for (const n of list) {
    await writer.add({
      type: 'image',
      url: rig.image,
      mime_type: 'image/jpeg',
      customer_number: n,
      customer_name: 'x',
    });
  }
  await writer.commit({ name: 'n', source: 'upload', defaults: {}, total: 2, rejected: 0, duplicates: 0 });
  await waitFor(async () => (await view(writer.campaignId)).status === 'completed', { what: 'completion' });
  const v = await view(writer.campaignId);
  expect(v).toMatchObject({ quiet_hours: null, waiting_until: null });
  expect(v.counts.waiting).toBe(0);
});
