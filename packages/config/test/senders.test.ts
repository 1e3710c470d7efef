import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import fc from 'fast-check';
import { loadSenders, SendersConfigError } from '../src';

const KEY = 'sk_live_SECRETKEY_42';
const SECRET = 'ss_SECRETSECRET_43';

function mistakes(env: NodeJS.ProcessEnv): string[] {
  try {
    loadSenders(env, 80);
  } catch (err) {
    if (err instanceof SendersConfigError) return err.message.split('\n');
    throw err;
  }
  throw new Error('expected a SendersConfigError');
}

describe('loadSenders', () => {
  it('SOBOT_API_KEY alone is one sender `default` at the global rate', () => {
    const c = loadSenders({ SOBOT_API_KEY: KEY, SOBOT_API_SECRET: SECRET }, 500);
    expect(c.single).toBe(true);
    expect(c.senders.map((s) => [s.id, s.rate, s.portfolio])).toEqual([['default', 500, 'default']]);
    expect(c.senders[0]!.credentials.apiKey).toBe(KEY);
    expect(c.senders[0]!.credentials.apiSecret).toBe(SECRET);
    expect(c.portfolios).toEqual({ default: { messaging_limit: null } });
  });

  it('reads SENDERS and PORTFOLIOS with their defaults', () => {
    const c = loadSenders(
      {
        SENDERS: JSON.stringify([
          {
            id: 'in-main',
            api_key: KEY,
            api_secret: SECRET,
            rate: 40,
            portfolio: 'acme',
            numbers: ['+91 98765 43210'],
          },
          { id: 'in-2', api_key: 'k2' },
        ]),
        PORTFOLIOS: '{"acme":{"messaging_limit":250}}',
      },
      80,
    );
    expect(c.single).toBe(false);
    expect(c.senders.map((s) => [s.id, s.rate, s.portfolio, s.numbers])).toEqual([
      ['in-main', 40, 'acme', ['919876543210']],
      ['in-2', 80, 'default', []],
    ]);
    expect(c.portfolios).toEqual({ acme: { messaging_limit: 250 }, default: { messaging_limit: null } });
  });

  it('reads SENDERS_FILE', () => {
    const dir = mkdtempSync(join(tmpdir(), 'senders-'));
    const file = join(dir, 'senders.json');
    writeFileSync(file, JSON.stringify([{ id: 'a', api_key: KEY }]));
    expect(loadSenders({ SENDERS_FILE: file }, 80).senders.map((s) => s.id)).toEqual(['a']);
    expect(mistakes({ SENDERS_FILE: join(dir, 'nope.json') })).toEqual([
      expect.stringMatching(/^invalid configuration: SENDERS_FILE=".*nope.json" cannot be read \(ENOENT\)$/),
    ]);
  });

  it('names every mistake on a line of its own', () => {
    const lines = mistakes({
      SENDERS: JSON.stringify([
        { id: 'a', api_key: KEY, rate: -1 },
        { id: 'a', api_key: KEY },
        { id: 'b', api_secret: SECRET, ratee: 3 },
      ]),
      PORTFOLIOS: '{"acme":{"messaging_limit":"lots"}}',
    });
    expect(lines).toEqual([
      'invalid configuration: PORTFOLIOS["acme"].messaging_limit must be a whole number of unique numbers per 24 h ' +
        '(e.g. 250) or null',
      'invalid configuration: SENDERS[0].rate must be a number of messages per second, above 0 and at most 100000',
      'invalid configuration: SENDERS[1].id "a" is listed twice',
      'invalid configuration: SENDERS[2].ratee is not a known field',
      'invalid configuration: SENDERS[2].api_key must be a non-empty string',
    ]);
  });

  it('says what is missing, and refuses both SENDERS and SENDERS_FILE', () => {
    expect(mistakes({})).toEqual([
      'invalid configuration: SOBOT_API_KEY is missing (or list the accounts in SENDERS or SENDERS_FILE)',
    ]);
    expect(mistakes({ SENDERS: '[]', SENDERS_FILE: '/x' })[0]).toMatch(/SENDERS_FILE cannot be set together/);
    expect(mistakes({ SENDERS: '[]' })[0]).toMatch(/SENDERS must be a non-empty JSON array/);
  });

  it('never shows a key or a secret: not in mistakes, JSON, inspect or spread', () => {
    // A JSON syntax error right after the secret: Node's own message would quote the text around it.
    const broken = `[{"id":"a","api_key":"${KEY}","api_secret":"${SECRET}"`;
    const lines = mistakes({ SENDERS: broken }).join('\n');
    expect(lines).not.toContain(KEY);
    expect(lines).not.toContain(SECRET.slice(0, 12));
    const c = loadSenders({ SENDERS: JSON.stringify([{ id: 'a', api_key: KEY, api_secret: SECRET }]) }, 80);
    for (const shown of [
      JSON.stringify(c),
      inspect(c, { depth: 10 }),
      JSON.stringify({ ...c.senders[0] }),
      String(c),
    ]) {
      expect(shown).not.toContain(KEY);
      expect(shown).not.toContain(SECRET);
    }
  });

  it('any text in SENDERS is a config error or a valid list, never a crash or a leak', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        try {
          const c = loadSenders({ SENDERS: s }, 80);
          expect(c.senders.length).toBeGreaterThan(0);
        } catch (err) {
          expect(err).toBeInstanceOf(SendersConfigError);
        }
      }),
    );
  });
});
