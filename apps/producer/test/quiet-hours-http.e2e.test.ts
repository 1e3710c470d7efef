/**
 * SPEC §10 quiet hours at the HTTP edge, through the real app (fastify inject) and a real Redis: the upload
 * option and its QUIET_HOURS default, the `timezone` column, and quiet hours on POST /v1/messages.
 */
import type { FastifyInstance } from 'fastify';
import { ConfigError, loadConfig } from '@sobot/config';
import { producerConfigSchema } from '../src/config';
import { TestProducers } from './producers';

const API_KEY = 'quiet-key';
const auth = { authorization: `Bearer ${API_KEY}` };
const IMAGE = 'https://cdn.example.com/a.jpg';

let producers: TestProducers;

const app = async (env: Record<string, string> = {}): Promise<FastifyInstance> => (await producers.open(env)).app;

beforeAll(async () => {
  producers = await TestProducers.start(API_KEY);
});

afterAll(async () => {
  await producers?.close();
});

// force=true: the same list is uploaded again and again with other options (not a double by accident, SPEC §20).
const upload = (server: FastifyInstance, query: string, csv = 'phone,name\n919970000101,Ann\n') =>
  server.inject({
    method: 'POST',
    url: `/v1/campaigns?image_url=${IMAGE}&force=true${query}`,
    headers: { ...auth, 'content-type': 'text/csv' },
    payload: csv,
  });
const view = async (server: FastifyInstance, id: string) =>
  (await server.inject({ url: `/v1/campaigns/${id}`, headers: auth })).json();

describe('QUIET_HOURS', () => {
  it('is a span, none when unset or empty, and a bad value names the variable', () => {
    const base = { API_KEYS: API_KEY };
    expect(loadConfig(producerConfigSchema, base).QUIET_HOURS).toBeNull();
    expect(loadConfig(producerConfigSchema, { ...base, QUIET_HOURS: '' }).QUIET_HOURS).toBeNull();
    expect(loadConfig(producerConfigSchema, { ...base, QUIET_HOURS: '21:00-08:00' }).QUIET_HOURS).toEqual({
      start: 1260,
      end: 480,
    });
    expect(() => loadConfig(producerConfigSchema, { ...base, QUIET_HOURS: '9pm-8am' })).toThrow(ConfigError);
    expect(() => loadConfig(producerConfigSchema, { ...base, QUIET_HOURS: '9pm-8am' })).toThrow(
      /QUIET_HOURS.*HH:MM-HH:MM/,
    );
  });
});

describe('the quiet_hours upload option', () => {
  it('is stored and shown in the campaign view, with nobody waiting yet', async () => {
    const server = await app();
    const res = await upload(server, '&quiet_hours=21:00-08:00');
    expect(res.statusCode).toBe(202);
    const v = await view(server, res.json().id);
    expect(v).toMatchObject({ quiet_hours: '21:00-08:00', waiting_until: null });
    expect(v.counts).toMatchObject({ pending: 1, waiting: 0 });
  });

  it.each(['25:00-08:00', '9pm-8am', '08:00-08:00'])('%s is a 400 naming the option', async (bad) => {
    const server = await app();
    const res = await upload(server, `&quiet_hours=${encodeURIComponent(bad)}`);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({
      code: 'INVALID_REQUEST',
      message: expect.stringMatching(/^quiet_hours /),
      details: [{ field: 'quiet_hours', message: expect.any(String) }],
    });
  });

  it('defaults to QUIET_HOURS; quiet_hours=off (or empty) turns it off for one upload', async () => {
    const server = await app({ QUIET_HOURS: '22:00-07:30' });
    const byDefault = await upload(server, '');
    expect((await view(server, byDefault.json().id)).quiet_hours).toBe('22:00-07:30');
    const off = await upload(server, '&quiet_hours=off');
    expect((await view(server, off.json().id)).quiet_hours).toBeNull();
    const empty = await upload(server, '&quiet_hours=');
    expect((await view(server, empty.json().id)).quiet_hours).toBeNull();
    const own = await upload(server, '&quiet_hours=20:00-09:00');
    expect((await view(server, own.json().id)).quiet_hours).toBe('20:00-09:00');
  });

  it('without either, a campaign has no quiet hours', async () => {
    const server = await app();
    expect((await view(server, (await upload(server, '')).json().id)).quiet_hours).toBeNull();
  });
});

describe('the timezone column', () => {
  it('takes IANA names (any case) and rejects the row of anything else, naming the field', async () => {
    const server = await app();
    const csv = [
      'Phone,Name,Time Zone',
      '919970000201,Ann,America/Mexico_City',
      '919970000202,Bob,europe/london',
      '919970000203,Cid,',
      '919970000204,Dee,Mars/Olympus',
      '919970000205,Eve,IST',
    ].join('\n');
    const res = await upload(server, '&quiet_hours=21:00-08:00', `${csv}\n`);
    expect(res.statusCode).toBe(202);
    const body = res.json();
    expect(body).toMatchObject({ accepted: 3, rejected: 2 });
    expect(body.columns.timezone).toBe('Time Zone');
    expect(body.errors).toEqual([
      { row: 4, line: 5, field: 'timezone', message: expect.stringContaining('"Mars/Olympus" is not a time zone') },
      { row: 5, line: 6, field: 'timezone', message: expect.stringContaining('"IST" is not a time zone') },
    ]);
  });
});

describe('POST /v1/messages', () => {
  const send = (server: FastifyInstance, body: Record<string, unknown>) =>
    server.inject({
      method: 'POST',
      url: '/v1/messages',
      headers: { ...auth, 'content-type': 'application/json' },
      payload: { customer_number: '919970000301', customer_name: 'Ann', url: IMAGE, ...body },
    });

  it('is not held by QUIET_HOURS unless the call asks for quiet hours', async () => {
    const server = await app({ QUIET_HOURS: '21:00-08:00' });
    const plain = await send(server, {});
    expect(plain.statusCode).toBe(202);
    expect((await view(server, plain.json().campaign_id)).quiet_hours).toBeNull();
    const asked = await send(server, { quiet_hours: '22:00-07:00' });
    expect(asked.statusCode).toBe(202);
    expect((await view(server, asked.json().campaign_id)).quiet_hours).toBe('22:00-07:00');
    const bad = await send(server, { quiet_hours: 'nights' });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().error.details).toEqual([{ field: 'quiet_hours', message: expect.any(String) }]);
  });
});
