import { z } from 'zod';
import { ConfigError, loadConfig, logEnv, producerEnv, redisEnv, sendingEnv, sobotEnv } from '../src';

/** The shape every app builds from the shared blocks (the worker's, without its extras). */
const workerLike = z.object({ ...redisEnv, ...logEnv, ...sendingEnv({ maxAttempts: 5 }), ...sobotEnv });
const producerLike = z.object({ ...redisEnv, ...logEnv, ...producerEnv });

const SECRET_KEY = 'sk_live_9f8e7d6c5b4a';

/** The ConfigError loadConfig throws (fails the test when it does not). */
function configError(run: () => unknown): ConfigError {
  try {
    run();
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('loadConfig', () => {
  it('applies the defaults', () => {
    expect(loadConfig(workerLike, { SOBOT_API_KEY: SECRET_KEY })).toEqual({
      REDIS_URL: undefined,
      REDIS_CLUSTER: false,
      REDIS_PREFIX: 'sobot',
      LOG_LEVEL: 'info',
      LOG_FORMAT: 'json',
      SEND_RATE: 80,
      MAX_ATTEMPTS: 5,
      SOBOT_API_URL: 'https://api.sobot.in',
      SOBOT_API_KEY: SECRET_KEY,
      SOBOT_API_SECRET: '',
    });
  });

  it('coerces the values it is given', () => {
    const cfg = loadConfig(workerLike, {
      SOBOT_API_KEY: SECRET_KEY,
      SEND_RATE: '12.5',
      MAX_ATTEMPTS: '3',
      REDIS_CLUSTER: 'yes',
      LOG_LEVEL: 'debug',
    });
    expect(cfg).toMatchObject({ SEND_RATE: 12.5, MAX_ATTEMPTS: 3, REDIS_CLUSTER: true, LOG_LEVEL: 'debug' });
  });

  it('treats an empty variable as unset (FOO= in a .env file)', () => {
    expect(loadConfig(workerLike, { SOBOT_API_KEY: SECRET_KEY, SEND_RATE: '', REDIS_PREFIX: '' })).toMatchObject({
      SEND_RATE: 80,
      REDIS_PREFIX: 'sobot',
    });
  });

  it('names SEND_RATE and shows its bad value when it is not a number', () => {
    const err = configError(() => loadConfig(workerLike, { SOBOT_API_KEY: SECRET_KEY, SEND_RATE: 'fast' }));
    expect(err.code).toBe('CONFIG_INVALID');
    expect(err.variable).toBe('SEND_RATE');
    expect(err.message).toMatch(/^invalid configuration: SEND_RATE/);
    expect(err.message).toContain('"fast"');
    expect(err.message).not.toContain('\n');
  });

  it.each([
    ['SEND_RATE', '0'],
    ['SEND_RATE', '-5'],
    ['MAX_ATTEMPTS', '2.5'],
    ['MAX_ATTEMPTS', '0'],
    ['REDIS_CLUSTER', 'maybe'],
    ['REDIS_PREFIX', 'has:colon'],
    ['LOG_LEVEL', 'loud'],
    ['SOBOT_API_URL', 'ftp://api.sobot.in'],
  ])('names %s when it is %p', (variable, value) => {
    const err = configError(() => loadConfig(workerLike, { SOBOT_API_KEY: SECRET_KEY, [variable]: value }));
    expect(err.variable).toBe(variable);
    expect(err.message).toContain(variable);
  });

  it('names a missing SOBOT_API_KEY', () => {
    const err = configError(() => loadConfig(workerLike, {}));
    expect(err.variable).toBe('SOBOT_API_KEY');
    expect(err.message).toMatch(/SOBOT_API_KEY is missing/);
  });

  it('never echoes the value of a secret variable it rejects', () => {
    const strict = z.object({
      SOBOT_API_KEY: z.string().regex(/^[a-f0-9]{32}$/, 'must be 32 hex digits'),
      SOBOT_API_SECRET: z.string().min(40),
    });
    const key = configError(() => loadConfig(strict, { SOBOT_API_KEY: SECRET_KEY, SOBOT_API_SECRET: 'x'.repeat(40) }));
    expect(key.variable).toBe('SOBOT_API_KEY');
    expect(key.message).toContain('must be 32 hex digits');
    expect(key.message).not.toContain(SECRET_KEY);

    const secret = configError(() =>
      loadConfig(strict, { SOBOT_API_KEY: 'a'.repeat(32), SOBOT_API_SECRET: 'short-secret-value' }),
    );
    expect(secret.variable).toBe('SOBOT_API_SECRET');
    expect(secret.message).not.toContain('short-secret-value');
  });

  it('says which bound a whole number missed', () => {
    const err = configError(() => loadConfig(workerLike, { SOBOT_API_KEY: SECRET_KEY, MAX_ATTEMPTS: '0' }));
    expect(err.message).toMatch(/MAX_ATTEMPTS="0" is invalid: must be at least 1$/);
  });

  it('never echoes the query string of a value, where tokens travel', () => {
    const err = configError(() =>
      loadConfig(workerLike, { SOBOT_API_KEY: SECRET_KEY, SOBOT_API_URL: 'api.sobot.in/x?token=tok_123' }),
    );
    expect(err.message).toContain('SOBOT_API_URL="api.sobot.in/x?…" is invalid');
    expect(err.message).not.toContain('tok_123');
  });

  it('does not echo the producer secrets either', () => {
    const err = configError(() => loadConfig(producerLike, { API_KEYS: ' , ,' }));
    expect(err.variable).toBe('API_KEYS');
    expect(err.message).not.toContain(' , ,');
    expect(err.message).toMatch(/at least one token/);
  });
});
