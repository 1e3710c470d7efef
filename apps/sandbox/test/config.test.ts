import { ConfigError, loadConfig } from '../src/config';

describe('loadConfig', () => {
  it('defaults to 127.0.0.1:3900 with no faults, no auth and no webhook', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      port: 3900,
      host: '127.0.0.1',
      apiKey: undefined,
      apiSecret: undefined,
      webhook: undefined,
    });
    expect(Object.values(config.faults ?? {}).filter((v) => v !== undefined)).toEqual([]);
  });

  it('reads every fault variable, treating empty ones as unset', () => {
    const config = loadConfig({
      SANDBOX_PORT: '0',
      SANDBOX_HOST: '',
      SOBOT_API_KEY: 'k',
      SOBOT_API_SECRET: 's',
      SANDBOX_LATENCY_MS: '20-80',
      SANDBOX_ERROR_RATIO: '0.1',
      SANDBOX_ERROR_STATUS: '502',
      SANDBOX_429_RATIO: '0.05',
      SANDBOX_RETRY_AFTER: '3',
      SANDBOX_HANG_RATIO: '0.01',
      SANDBOX_RESET_RATIO: '0.02',
      SANDBOX_CLOSED_NUMBERS: '919970585556, 4471*,',
      SANDBOX_MAX_RPS: '50',
      SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/sobot',
      SANDBOX_WEBHOOK_DELAY_MS: '500',
      SANDBOX_WEBHOOK_STATUSES: 'delivered,read',
    });
    expect(config).toEqual({
      port: 0,
      host: '127.0.0.1',
      apiKey: 'k',
      apiSecret: 's',
      faults: {
        latencyMs: { min: 20, max: 80 },
        errorRatio: 0.1,
        errorStatus: 502,
        rateLimitRatio: 0.05,
        retryAfterSeconds: 3,
        hangRatio: 0.01,
        resetRatio: 0.02,
        closedNumbers: ['919970585556', '4471*'],
        maxRps: 50,
      },
      webhook: { url: 'http://127.0.0.1:3000/webhooks/sobot', delayMs: 500, statuses: ['delivered', 'read'] },
    });
    expect(loadConfig({ SANDBOX_LATENCY_MS: '35' }).faults?.latencyMs).toBe(35);
  });

  it.each([
    ['SANDBOX_PORT', 'http'],
    ['SANDBOX_LATENCY_MS', '80-20'],
    ['SANDBOX_LATENCY_MS', 'slow'],
    ['SANDBOX_ERROR_RATIO', '1.5'],
    ['SANDBOX_ERROR_STATUS', '404'],
    ['SANDBOX_429_RATIO', 'x'],
    ['SANDBOX_MAX_RPS', '-1'],
    ['SANDBOX_WEBHOOK_URL', 'not a url'],
    ['SANDBOX_WEBHOOK_STATUSES', 'delivered,sent'],
  ])('names %s when it is %j', (name, value) => {
    expect(() => loadConfig({ [name]: value })).toThrow(ConfigError);
    expect(() => loadConfig({ [name]: value })).toThrow(new RegExp(`^invalid environment: ${name} `));
  });

  it('never repeats a secret in its message', () => {
    // A key cannot be invalid, so provoke an error beside it and check the key stays out.
    try {
      loadConfig({ SOBOT_API_KEY: 'hunter2', SANDBOX_ERROR_RATIO: 'x' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(String(err)).not.toContain('hunter2');
    }
  });
});
