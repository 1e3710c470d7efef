import { closeSandboxes, KEYS, sandbox, send, VALID } from './helpers';

afterEach(closeSandboxes);

describe('POST /message/', () => {
  it('accepts a valid image message with a unique wamid and counts it by number', async () => {
    const sb = await sandbox({ apiKey: KEYS['x-api-key'], apiSecret: KEYS['x-api-secret'] });
    const first = await send(sb);
    const second = await send(sb, { ...VALID, caption: 'Hello' }, { path: '/message' });

    for (const answer of [first, second]) {
      expect(answer.status).toBe(200);
      expect(answer.body).toEqual({
        data: { id: expect.stringMatching(/^wamid\.[A-Za-z0-9+/]+=*$/), status: 'submitted' },
        message: 'Message sent successfully.',
        code: 200,
      });
    }
    const ids = [first.body.data?.id, second.body.data?.id];
    expect(ids[0]).not.toBe(ids[1]);

    const stats = sb.stats();
    expect(stats).toMatchObject({ total: 2, accepted: 2, byNumber: { [VALID.customer_number]: 2 } });
    expect(stats.wamids[VALID.customer_number]).toEqual(ids);
    expect(stats.received.map((r) => r.outcome)).toEqual(['ok', 'ok']);
    expect(stats.received[0]?.at).toBeGreaterThan(Date.now() - 10_000);
  });

  it('gives every message its own wamid of at most 128 characters', async () => {
    const sb = await sandbox();
    const numbers = Array.from({ length: 200 }, (_, i) => `4479${String(i).padStart(8, '0')}`);
    const answers = await Promise.all(numbers.map((n) => send(sb, { ...VALID, customer_number: n })));
    const ids = answers.map((a) => a.body.data?.id ?? '');
    expect(new Set(ids).size).toBe(200);
    expect(Math.max(...ids.map((id) => id.length))).toBeLessThanOrEqual(128);
    expect(Object.keys(sb.stats().byNumber)).toHaveLength(200);
  });

  it('takes a body sent without a content-type, as the reference PHP example does', async () => {
    const sb = await sandbox();
    const res = await fetch(`${sb.url}/message/`, { method: 'POST', body: new Blob([JSON.stringify(VALID)]) });
    expect(res.status).toBe(200);
  });

  const invalid: Array<[string, Record<string, unknown>]> = [
    ['type', { type: 'text' }],
    ['url', { url: 'photo.jpg' }],
    ['url', { url: 'ftp://example.com/a.jpg' }],
    ['mime_type', { mime_type: 'image/gif' }],
    ['customer_number', { customer_number: '+919970585556' }],
    ['customer_number', { customer_number: '91 9970 585556' }],
    ['customer_number', { customer_number: '91-9970-585556' }],
    ['customer_number', { customer_number: '(91)9970585556' }],
    ['customer_number', { customer_number: '1234567' }],
    ['customer_number', { customer_number: '1234567890123456' }],
    ['customer_number', { customer_number: 919970585556 }],
    ['customer_name', { customer_name: '' }],
    ['customer_name', { customer_name: undefined }],
    ['caption', { caption: 'x'.repeat(1025) }],
    ['caption', { caption: 42 }],
  ];

  it.each(invalid)('answers 400 naming %s for %j', async (field, change) => {
    const sb = await sandbox();
    const answer = await send(sb, { ...VALID, ...change });
    expect(answer.status).toBe(400);
    expect(answer.body.code).toBe(400);
    expect(answer.body.message).toContain(field);
    expect(sb.stats()).toMatchObject({ total: 1, accepted: 0, outcomes: { '400': 1 } });
  });

  it('counts a caption in characters, so 1024 emoji pass', async () => {
    const sb = await sandbox();
    expect((await send(sb, { ...VALID, caption: '📷'.repeat(1024) })).status).toBe(200);
  });

  it('answers 400 to a body that is not a JSON object', async () => {
    const sb = await sandbox();
    for (const body of ['not json', '[1,2]', 'null']) {
      const answer = await send(sb, body);
      expect(answer.status).toBe(400);
      expect(answer.body.message).toMatch(/JSON/);
    }
  });

  it('answers 401 to a wrong key or secret', async () => {
    const sb = await sandbox({ apiKey: 'key-1', apiSecret: 'secret-1' });
    const wrongKey = await send(sb, VALID, { headers: { ...KEYS, 'x-api-key': 'nope' } });
    const wrongSecret = await send(sb, VALID, { headers: { ...KEYS, 'x-api-secret': 'nope' } });
    const none = await send(sb, VALID, { headers: {} });
    for (const answer of [wrongKey, wrongSecret, none]) {
      expect(answer.status).toBe(401);
      expect(answer.body.code).toBe(401);
    }
    expect(sb.stats()).toMatchObject({ total: 3, accepted: 0, outcomes: { '401': 3 } });
  });
});

describe('per-number 5xx and 200 without a wamid', () => {
  it('answers errorNumbers with errorStatus and noWamidNumbers with a 200 that has no data.id', async () => {
    const sb = await sandbox({
      faults: { errorNumbers: ['4471*'], noWamidNumbers: ['447200000001'], errorStatus: 502 },
    });
    const down = await send(sb, { ...VALID, customer_number: '447100000009' });
    const unsure = await send(sb, { ...VALID, customer_number: '447200000001' });
    const fine = await send(sb, { ...VALID, customer_number: '447200000002' });
    expect(down.status).toBe(502);
    expect(unsure.status).toBe(200);
    expect(unsure.body.data?.id).toBeUndefined();
    expect(fine.body.data?.id).toEqual(expect.stringMatching(/^wamid\./));
    const stats = sb.stats();
    expect(stats.received.map((r) => [r.number, r.outcome])).toEqual([
      ['447100000009', '5xx'],
      ['447200000001', 'ok'],
      ['447200000002', 'ok'],
    ]);
    expect(stats.byNumber).toEqual({ '447200000002': 1 });
    // A bad pattern is refused like any fault.
    expect(() => sb.setFaults({ noWamidNumbers: ['44x'] })).toThrow();
  });
});
