import {
  DeferredError,
  RateLimitedError,
  RejectedError,
  SendingBlockedError,
  UnavailableError,
  classifyAnswer,
  POLICY_TABLE,
  parseRetryAfter,
  retryClass,
  upstreamError,
  type SobotError,
} from '../src';

describe('parseRetryAfter', () => {
  const now = Date.UTC(2026, 0, 15, 10, 0, 0);

  it('reads delay-seconds', () => {
    expect(parseRetryAfter('2')).toBe(2000);
    expect(parseRetryAfter('0')).toBe(0);
    expect(parseRetryAfter(' 3 ')).toBe(3000);
    expect(parseRetryAfter('1.5')).toBe(1500);
    expect(parseRetryAfter(['4', '9'])).toBe(4000);
  });

  it('reads an HTTP-date as the time left until it, never negative', () => {
    expect(parseRetryAfter(new Date(now + 5000).toUTCString(), now)).toBe(5000);
    expect(parseRetryAfter('Thu, 15 Jan 2026 10:01:00 GMT', now)).toBe(60_000);
    expect(parseRetryAfter('Thu, 15 Jan 2026 09:59:00 GMT', now)).toBe(0);
  });

  it('gives undefined when absent or garbage', () => {
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('')).toBeUndefined();
    expect(parseRetryAfter([])).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    expect(parseRetryAfter('120abc', now)).toBeUndefined();
  });

  // BUG (policy.ts parseRetryAfter): anything that is not delay-seconds goes to Date.parse, and V8's
  // lenient parser takes '-1' as 1 Jan 2001 and '2024' as 1 Jan 2024 — both in the past, so the result
  // is 0 ms (retry at once) instead of undefined (then the 1 s default applies). Neither is an
  // HTTP-date (RFC 9110 §10.2.3: delay-seconds = 1*DIGIT, or an IMF-fixdate).
  test.each(['-1', '1 2', 'soon'])('gives undefined for the non-date %p', (value) => {
    expect(parseRetryAfter(value, now)).toBeUndefined();
  });
});

describe('upstreamError', () => {
  it('takes the most specific code and message of Meta-style and Sobot-style bodies', () => {
    expect(
      upstreamError(400, { code: 400, message: 'top', error: { code: 131047, message: 'Re-engagement message' } }),
    ).toEqual({ code: '131047', message: 'Re-engagement message' });
    expect(upstreamError(400, { errors: [{ code: 131026, title: 'Message undeliverable' }] })).toEqual({
      code: '131026',
      message: 'Message undeliverable',
    });
    expect(upstreamError(400, { code: 400, error: 'plain words' })).toEqual({ code: '400', message: 'plain words' });
    // A flat body with the upstream code at the top; Meta's error object alone.
    expect(upstreamError(400, { code: 131053, message: 'Media upload error' })).toEqual({
      code: '131053',
      message: 'Media upload error',
    });
    expect(upstreamError(401, { error: { code: 0, message: 'AuthException', type: 'OAuthException' } })).toEqual({
      code: '0',
      message: 'AuthException',
    });
    expect(upstreamError(502, undefined)).toEqual({ code: '502', message: 'HTTP 502' });
    expect(upstreamError(400, { message: 'x'.repeat(600) }).message).toHaveLength(600);
  });

  it('clips a huge upstream message to 1 KiB and a huge code to 64 bytes, UTF-8 safe', () => {
    const e = upstreamError(400, { error: { code: '9'.repeat(10_000), message: '😀'.repeat(500_000) } });
    expect(Buffer.byteLength(e.message, 'utf8')).toBeLessThanOrEqual(1024);
    expect(e.message).toMatch(/^(😀)+…$/u);
    expect(Buffer.byteLength(e.code, 'utf8')).toBeLessThanOrEqual(64);
  });
});

describe('classifyAnswer', () => {
  type Row = [
    string,
    number,
    unknown,
    string | undefined,
    new (...args: never[]) => SobotError,
    Record<string, unknown>,
  ];
  const rows: Row[] = [
    [
      'HTTP 429 with Retry-After',
      429,
      { code: 429, message: 'Too many requests' },
      '3',
      RateLimitedError,
      { code: '429', retryAfterMs: 3000 },
    ],
    [
      'HTTP 429 without Retry-After',
      429,
      { code: 429, message: 'Too many requests' },
      undefined,
      RateLimitedError,
      { code: '429', retryAfterMs: undefined },
    ],
    [
      'Meta 130429 throughput',
      400,
      { error: { code: 130429, message: 'Rate limit hit' } },
      undefined,
      RateLimitedError,
      { code: '130429' },
    ],
    [
      'Meta 131056 pair rate limit',
      400,
      { error: { code: 131056, message: 'Pair rate limit' } },
      undefined,
      DeferredError,
      { code: '131056', delayMs: 60_000 },
    ],
    [
      'Meta 131048 spam limit',
      400,
      { error: { code: 131048, message: 'Spam rate limit hit' } },
      undefined,
      SendingBlockedError,
      { code: '131048', probeEveryMs: 300_000 },
    ],
    [
      'HTTP 401',
      401,
      { code: 401, message: 'Invalid x-api-key' },
      undefined,
      SendingBlockedError,
      { code: '401', probeEveryMs: 30_000 },
    ],
    [
      'HTTP 403 with a body code',
      403,
      { error: { code: 10, message: 'Permission denied' } },
      undefined,
      SendingBlockedError,
      { code: '403', probeEveryMs: 30_000 },
    ],
    [
      'HTTP 500',
      500,
      { code: 500, message: 'Internal error' },
      undefined,
      UnavailableError,
      { code: 'HTTP_500', message: 'Internal error' },
    ],
    ['HTTP 503 without a body', 503, undefined, undefined, UnavailableError, { code: 'HTTP_503' }],
    ['HTTP 408', 408, {}, undefined, UnavailableError, { code: 'HTTP_408' }],
    [
      'HTTP 502 carrying a Meta code',
      502,
      { error: { code: 131000, message: 'Something went wrong' } },
      undefined,
      UnavailableError,
      { code: '131000' },
    ],
    [
      'HTTP 404',
      404,
      { code: 404, message: 'no route' },
      undefined,
      RejectedError,
      { code: '404', message: 'no route' },
    ],
    [
      'Meta 131047 24-hour window',
      400,
      { error: { code: 131047, message: 'Re-engagement message' } },
      undefined,
      RejectedError,
      { code: '131047' },
    ],
    [
      'HTTP 400 validation',
      400,
      { code: 400, message: 'customer_number must have 8 to 15 digits' },
      undefined,
      RejectedError,
      { code: '400' },
    ],
  ];

  it.each(rows)('%s', (_name, status, body, retryAfter, type, fields) => {
    const err = classifyAnswer(status, body, retryAfter);
    expect(err).toBeInstanceOf(type);
    expect(err).toMatchObject(fields);
  });

  it('never classifies a permanent rejection as anything retryable', () => {
    for (const status of [400, 404, 409, 410, 413, 415, 422]) {
      const err = classifyAnswer(status, { code: status, message: 'no' }, undefined);
      expect(err).toBeInstanceOf(RejectedError);
      expect(err.code).toBe(String(status));
    }
  });
});

describe('the SPEC §13 codes, as Meta bodies inside the usual 400', () => {
  const meta = (code: number) => ({ code: 400, message: 'x', error: { code, message: `meta ${code}` } });

  it.each([368, 131031, 131042, 190, 0])('%i pauses sending system-wide with the code as the reason', (code) => {
    const err = classifyAnswer(400, meta(code), undefined);
    expect(err).toBeInstanceOf(SendingBlockedError);
    expect(err).toMatchObject({ code: String(code), probeEveryMs: 30_000 });
  });

  it.each([131057, 131000, 131016, 133004, 1, 2])('%i is retried like a 5xx', (code) => {
    const err = classifyAnswer(400, meta(code), undefined);
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err.code).toBe(String(code));
  });

  it.each([131047, 131049, 131050, 131026, 131051, 131008, 131009, 131021, 131052, 131053])(
    '%i fails the recipient at once',
    (code) => {
      const err = classifyAnswer(400, meta(code), undefined);
      expect(err).toBeInstanceOf(RejectedError);
      expect(err.code).toBe(String(code));
    },
  );

  it('keeps one row per code', () => {
    const codes = POLICY_TABLE.flatMap((row) => row.codes);
    expect(new Set(codes).size).toBe(codes.length);
  });
});

describe('retryClass (what retry-failed takes by default, SPEC §20)', () => {
  it.each([
    ['TIMEOUT', 'retry'],
    ['CONNECTION_RESET', 'retry'],
    ['NETWORK_ERROR', 'retry'],
    ['HTTP_503', 'retry'],
    ['HTTP_408', 'retry'],
    ['500', 'retry'],
    ['429', 'retry'],
    ['130429', 'retry'],
    ['131056', 'retry'],
    ['131048', 'retry'],
    ['131000', 'retry'],
    ['131016', 'retry'],
    ['131057', 'retry'],
    ['133004', 'retry'],
    ['1', 'retry'],
    ['2', 'retry'],
    ['131049', 'retry'],
    ['131026', 'permanent'],
    ['131047', 'permanent'],
    ['131050', 'permanent'],
    ['131051', 'permanent'],
    ['131008', 'permanent'],
    ['131009', 'permanent'],
    ['131021', 'permanent'],
    ['131052', 'permanent'],
    ['131053', 'permanent'],
    ['400', 'permanent'],
    ['HTTP_404', 'permanent'],
    ['100', 'permanent'],
    ['NO_WAMID', 'no_wamid'],
  ])('%s → %s', (code, cls) => {
    expect(retryClass(code)).toBe(cls);
  });

  it('agrees with the table: every reject row but the 24 h hold is permanent, every other row retryable', () => {
    for (const row of POLICY_TABLE)
      for (const code of row.codes)
        expect(retryClass(code)).toBe(row.kind === 'reject' && row.effect !== 'hold-retry' ? 'permanent' : 'retry');
  });
});
