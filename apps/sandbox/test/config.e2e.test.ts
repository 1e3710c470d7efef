import { ConfigError, loadConfig } from '@sobot/config';
import { spawnApp } from '@sobot/devkit';
import fc from 'fast-check';
import { sandboxConfigSchema } from '../src/config';
import { UPSTREAM_CODES } from '../src/upstream-errors';

const load = (env: Record<string, string>) => loadConfig(sandboxConfigSchema, env);

/** The ConfigError loadConfig throws (fails the test when it does not). */
function configError(env: Record<string, string>): ConfigError {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('sandbox configuration', () => {
  it('defaults to 127.0.0.1:3900 with no faults, no auth and no webhook', () => {
    const config = load({});
    expect(config).toMatchObject({
      port: 3900,
      host: '127.0.0.1',
      logLevel: 'info',
      logFormat: 'json',
      apiKey: undefined,
      apiSecret: undefined,
      webhook: undefined,
    });
    expect(Object.values(config.faults ?? {}).filter((v) => v !== undefined)).toEqual([]);
  });

  it('reads every variable, treating empty ones as unset', () => {
    const config = load({
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
      SANDBOX_NUMBER_CODES: '9199*:131050, 447100000001:131026',
      SANDBOX_CODE_RATIOS: '131000:0.05,2:0.5',
      SANDBOX_ERROR_SHAPE: 'meta',
      SANDBOX_CALLBACK_FAILURES: '9198*:131049',
      SANDBOX_MAX_RPS: '50',
      SANDBOX_WEBHOOK_URL: 'http://127.0.0.1:3000/webhooks/sobot?token=t0k',
      SANDBOX_WEBHOOK_SECRET: 'app-secret',
      SANDBOX_WEBHOOK_DELAY_MS: '500',
      SANDBOX_WEBHOOK_STATUSES: 'sent,delivered,read',
      LOG_LEVEL: 'warn',
      LOG_FORMAT: 'pretty',
    });
    expect(config).toEqual({
      logLevel: 'warn',
      logFormat: 'pretty',
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
        numberCodes: { '9199*': 131050, '447100000001': 131026 },
        codeRatios: { '131000': 0.05, '2': 0.5 },
        errorShape: 'meta',
        callbackFailures: { '9198*': 131049 },
        maxRps: 50,
      },
      webhook: {
        url: 'http://127.0.0.1:3000/webhooks/sobot?token=t0k',
        secret: 'app-secret',
        delayMs: 500,
        statuses: ['sent', 'delivered', 'read'],
      },
    });
    expect(load({ SANDBOX_LATENCY_MS: '35' }).faults?.latencyMs).toBe(35);
  });

  it.each([
    ['SANDBOX_PORT', 'http'],
    ['SANDBOX_PORT', '70000'],
    ['SANDBOX_LATENCY_MS', '80-20'],
    ['SANDBOX_LATENCY_MS', 'slow'],
    ['SANDBOX_ERROR_RATIO', '1.5'],
    ['SANDBOX_ERROR_STATUS', '404'],
    ['SANDBOX_429_RATIO', 'x'],
    ['SANDBOX_MAX_RPS', '-1'],
    ['SANDBOX_NUMBER_CODES', '9199*:131999'],
    ['SANDBOX_NUMBER_CODES', '9199*'],
    ['SANDBOX_NUMBER_CODES', '91 99:131050'],
    ['SANDBOX_NUMBER_CODES', '9199*:'],
    ['SANDBOX_CODE_RATIOS', '131000:1.5'],
    ['SANDBOX_CODE_RATIOS', '131000:'],
    ['SANDBOX_CODE_RATIOS', '404:0.1'],
    ['SANDBOX_CALLBACK_FAILURES', 'x:131050'],
    ['SANDBOX_ERROR_SHAPE', 'xml'],
    ['SANDBOX_WEBHOOK_URL', 'not a url'],
    ['SANDBOX_WEBHOOK_STATUSES', 'delivered,failed'],
    ['LOG_LEVEL', 'loud'],
  ])('names %s when it is %j, in one line', (name, value) => {
    const err = configError({ [name]: value });
    expect(err.variable).toBe(name);
    expect(err.message).toMatch(new RegExp(`^invalid configuration: ${name}`));
    expect(err.message).not.toContain('\n');
  });

  it('says which list item is wrong and why', () => {
    const err = configError({ SANDBOX_NUMBER_CODES: '9199*:131050,4471*:131999' });
    expect(err.message).toContain('"4471*:131999" is not number:code');
    expect(err.message).toContain('131047');
  });

  it('never repeats a secret in its message', () => {
    const err = configError({ SANDBOX_WEBHOOK_SECRET: 'hunter2', SOBOT_API_KEY: 'hunter3', SANDBOX_ERROR_RATIO: 'x' });
    expect(err.message).not.toMatch(/hunter/);
  });

  it('reads any list of number:code and code:ratio pairs it is given', () => {
    const pattern = fc
      .tuple(fc.stringMatching(/^\d{1,15}$/), fc.boolean())
      .map(([digits, prefix]) => (prefix ? `${digits}*` : digits));
    const code = fc.constantFrom(...UPSTREAM_CODES);
    const space = fc.constantFrom('', ' ', '  ');
    fc.assert(
      fc.property(
        fc.dictionary(pattern, code, { minKeys: 1 }),
        fc.dictionary(code.map(String), fc.double({ min: 0, max: 1, noNaN: true }), { minKeys: 1 }),
        space,
        (numberCodes, codeRatios, pad) => {
          const env = {
            SANDBOX_NUMBER_CODES: Object.entries(numberCodes)
              .map(([n, c]) => `${pad}${n}:${c}${pad}`)
              .join(','),
            // Plain decimals: the variable takes no exponent notation.
            SANDBOX_CODE_RATIOS: Object.entries(codeRatios)
              .map(([c, r]) => `${c}:${r.toFixed(6)}`)
              .join(`,${pad}`),
          };
          const { faults } = load(env);
          expect(faults?.numberCodes).toEqual(numberCodes);
          const ratios = Object.fromEntries(Object.entries(codeRatios).map(([c, r]) => [c, Number(r.toFixed(6))]));
          expect(faults?.codeRatios).toEqual(ratios);
        },
      ),
    );
  });

  it('refuses any code the sandbox does not know', () => {
    const known = new Set<number>(UPSTREAM_CODES);
    fc.assert(
      fc.property(
        fc.nat({ max: 1_000_000 }).filter((c) => !known.has(c)),
        (code) => {
          expect(configError({ SANDBOX_NUMBER_CODES: `9199*:${code}` }).variable).toBe('SANDBOX_NUMBER_CODES');
          expect(configError({ SANDBOX_CODE_RATIOS: `${code}:0.1` }).variable).toBe('SANDBOX_CODE_RATIOS');
        },
      ),
    );
  });

  it('stops the process with exit code 78 and one line naming the variable', async () => {
    const app = spawnApp('sandbox', { SANDBOX_PORT: '0', SANDBOX_CODE_RATIOS: '131000:2' });
    expect(await app.exited).toBe(78);
    const lines = app.output().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^invalid configuration: SANDBOX_CODE_RATIOS="131000:2" is invalid: .*0 to 1/);
  });
});
