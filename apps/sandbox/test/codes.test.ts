import { loadConfig } from '@sobot/config';
import { z } from 'zod';
import { sandboxConfigSchema } from '../src/config';
import { UPSTREAM_CODES, UPSTREAM_ERRORS } from '../src/upstream-errors';
import { closeSandboxes, sandbox, send, VALID } from './helpers';

afterEach(closeSandboxes);

/** The HTTP status each code must come back with (Meta's documented status; see the README table). */
const EXPECTED_STATUS: Record<number, number> = {
  0: 401,
  1: 400,
  2: 503,
  190: 401,
  368: 403,
  130429: 400,
  131000: 500,
  131008: 400,
  131009: 400,
  131016: 500,
  131021: 400,
  131026: 400,
  131031: 403,
  131042: 400,
  131047: 400,
  131048: 400,
  131049: 400,
  131050: 400,
  131051: 400,
  131052: 400,
  131053: 400,
  131056: 400,
  131057: 500,
  133004: 503,
};

/** Sobot's envelope around Meta's error object, exactly. */
const upstreamBody = z.strictObject({
  code: z.number(),
  message: z.string().min(1),
  error: z.strictObject({
    message: z.string().min(1),
    type: z.literal('OAuthException'),
    code: z.number(),
    error_data: z.strictObject({ messaging_product: z.literal('whatsapp'), details: z.string().min(1) }),
    fbtrace_id: z.string(),
  }),
});

describe('upstream error codes', () => {
  it('knows exactly the codes SPEC §13 lists', () => {
    expect([...UPSTREAM_CODES].sort((a, b) => a - b)).toEqual(
      Object.keys(EXPECTED_STATUS)
        .map(Number)
        .sort((a, b) => a - b),
    );
  });

  it.each(UPSTREAM_CODES.map((code) => [code]))('answers %i per number with its status and Meta body', async (code) => {
    const number = `4420${String(code).padStart(8, '0')}`;
    const sb = await sandbox({ faults: { numberCodes: { [number]: code } } });
    const res = await fetch(`${sb.url}/message/`, {
      method: 'POST',
      body: JSON.stringify({ ...VALID, customer_number: number }),
    });
    expect(res.status).toBe(EXPECTED_STATUS[code]);
    expect(res.headers.get('retry-after')).toBeNull();
    const body = upstreamBody.parse(await res.json());
    expect(body.code).toBe(res.status);
    expect(body.error).toMatchObject({ code, message: UPSTREAM_ERRORS[code].title });
    expect(body.error.error_data.details).toBe(UPSTREAM_ERRORS[code].details);

    // Any other number still goes through; the answered code is counted.
    expect((await send(sb)).status).toBe(200);
    const stats = sb.stats();
    expect(stats.codes).toEqual({ [code]: 1 });
    expect(stats.byNumber).toEqual({ [VALID.customer_number]: 1 });
    expect(stats.received[0]).toMatchObject({ number, code });
  });

  it('words a code as Meta does, or flat with the code at the top, when errorShape says so', async () => {
    const number = '442000131053';
    const sb = await sandbox({ faults: { numberCodes: { [number]: 131053 }, errorShape: 'meta' } });
    const post = () =>
      fetch(`${sb.url}/message/`, { method: 'POST', body: JSON.stringify({ ...VALID, customer_number: number }) });
    const meta = await post();
    expect(meta.status).toBe(400);
    const { title, details } = UPSTREAM_ERRORS[131053];
    expect(await meta.json()).toEqual({
      error: {
        message: title,
        type: 'OAuthException',
        code: 131053,
        error_data: { messaging_product: 'whatsapp', details },
        fbtrace_id: 'sandbox',
      },
    });
    sb.setFaults({ errorShape: 'flat' });
    const flat = await post();
    expect(flat.status).toBe(400);
    expect(await flat.json()).toEqual({ code: 131053, message: `Message not sent: ${details}` });
  });

  it('matches an exact number first, then the longest prefix, and keeps closedNumbers as 131047', async () => {
    const sb = await sandbox({
      faults: {
        closedNumbers: ['4471*'],
        numberCodes: { '9199*': 131050, '91997*': 131026, '919970585556': 131049, '4471000*': 131051 },
      },
    });
    const codeOf = async (customer_number: string) => (await send(sb, { ...VALID, customer_number })).body.error?.code;
    expect(await codeOf('919970585556')).toBe(131049);
    expect(await codeOf('919970000001')).toBe(131026);
    expect(await codeOf('919900000001')).toBe(131050);
    expect(await codeOf('447100000001')).toBe(131051);
    expect(await codeOf('447199999999')).toBe(131047);
    expect((await send(sb, { ...VALID, customer_number: '919800000001' })).status).toBe(200);
  });

  it('checks the body before a number code: a bad request is still a plain 400', async () => {
    const sb = await sandbox({ faults: { numberCodes: { '9199*': 131050 } } });
    const answer = await send(sb, { ...VALID, mime_type: 'image/gif' });
    expect(answer.status).toBe(400);
    expect(answer.body.error).toBeUndefined();
    expect(answer.body.message).toContain('mime_type');
  });

  it('answers a code to its share of all requests', async () => {
    const sb = await sandbox({ faults: { codeRatios: { 131000: 1 } } });
    const answer = await send(sb);
    expect(answer.status).toBe(500);
    expect(answer.body.error?.code).toBe(131000);

    sb.setFaults({ codeRatios: { 131016: 0.25, 2: 0.25 } });
    const answers = await Promise.all(
      Array.from({ length: 400 }, (_, i) =>
        send(sb, { ...VALID, customer_number: `4479${String(i).padStart(8, '0')}` }),
      ),
    );
    const count = (code: number) => answers.filter((a) => a.body.error?.code === code).length;
    // 400 draws of 25 %: 100 expected, beyond 55–145 happens less than once in a million runs.
    for (const code of [131016, 2]) expect(count(code)).toBeGreaterThan(55);
    for (const code of [131016, 2]) expect(count(code)).toBeLessThan(145);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(400 - count(131016) - count(2));
    expect(sb.stats().codes).toEqual({ 131000: 1, 131016: count(131016), 2: count(2) });
  });

  it('sets codes through the faults API and names a bad one', async () => {
    const sb = await sandbox();
    const post = (body: unknown) => fetch(`${sb.url}/_sandbox/faults`, { method: 'POST', body: JSON.stringify(body) });

    const ok = await post({ numberCodes: { '9199*': 131050 }, codeRatios: { '368': 0 } });
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ faults: { numberCodes: { '9199*': 131050 }, codeRatios: { 368: 0 } } });
    const answer = await send(sb);
    expect(answer.status).toBe(400);
    expect(answer.body.error?.code).toBe(131050);

    for (const [bad, field] of [
      [{ numberCodes: { '9199*': 131999 } }, 'numberCodes.9199*'],
      [{ numberCodes: { '+9199': 131050 } }, 'numberCodes'],
      [{ codeRatios: { '131000': 2 } }, 'codeRatios.131000'],
      [{ codeRatios: { '404': 0.5 } }, 'codeRatios'],
      [{ callbackFailures: { '9199*': 'soon' } }, 'callbackFailures.9199*'],
    ] as const) {
      const res = await post(bad);
      expect(res.status).toBe(400);
      const body = z.object({ code: z.literal(400), message: z.string() }).parse(await res.json());
      expect(body.message).toContain(field);
    }
    // A refused patch changes nothing.
    expect(sb.faults().numberCodes).toEqual({ '9199*': 131050 });
  });

  it('takes the codes from the environment', async () => {
    const config = loadConfig(sandboxConfigSchema, {
      SANDBOX_PORT: '0',
      SANDBOX_NUMBER_CODES: '919970585556:368',
      SANDBOX_CODE_RATIOS: '133004:1',
    });
    const sb = await sandbox(config);
    const blocked = await send(sb);
    // The ratio is drawn before the number is looked at.
    expect(blocked.status).toBe(503);
    expect(blocked.body.error?.code).toBe(133004);
    sb.setFaults({ codeRatios: {} });
    const answer = await send(sb);
    expect(answer.status).toBe(403);
    expect(answer.body.error?.code).toBe(368);
  });
});
