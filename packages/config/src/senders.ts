import { readFileSync } from 'node:fs';
import { inspect } from 'node:util';
import { ConfigError } from './load';

/**
 * The Sobot accounts messages go out through (SPEC §15): `SENDERS` (a JSON array) or `SENDERS_FILE` (a file holding
 * one), `PORTFOLIOS` (a JSON object: portfolio → `{messaging_limit}`), or `SOBOT_API_KEY`/`SOBOT_API_SECRET` alone
 * (one sender `default`). Every mistake is one line of the ConfigError; no line ever shows a key or a secret.
 */

/** A sender's key pair. Not enumerable, and shown as `[redacted]` by JSON.stringify, util.inspect and pino. */
export class Credentials {
  declare readonly apiKey: string;
  declare readonly apiSecret: string;
  constructor(apiKey: string, apiSecret: string) {
    Object.defineProperty(this, 'apiKey', { value: apiKey, enumerable: false });
    Object.defineProperty(this, 'apiSecret', { value: apiSecret, enumerable: false });
  }
  toJSON(): string {
    return '[redacted]';
  }
  toString(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}

export interface SenderConfig {
  id: string;
  /** Requests per second to this sender, across every worker. */
  rate: number;
  portfolio: string;
  /** The business numbers (digits) inbound events of this sender arrive at. */
  numbers: string[];
  credentials: Credentials;
}

export interface PortfolioConfig {
  /** Unique numbers per rolling 24 h a conversation may be started with; null: unlimited. */
  messaging_limit: number | null;
}

export interface SendersConfig {
  senders: SenderConfig[];
  portfolios: Record<string, PortfolioConfig>;
  /** True when the senders came from SOBOT_API_KEY alone (one sender `default`). */
  single: boolean;
}

/** A sender's default rate (WhatsApp's default throughput per number). */
export const DEFAULT_SENDER_RATE = 80;
export const DEFAULT_PORTFOLIO = 'default';
const ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const SENDER_FIELDS = new Set(['id', 'api_key', 'api_secret', 'rate', 'portfolio', 'numbers']);

/** One ConfigError for every mistake in the sender configuration, one line each (`variable` is the first one's). */
export class SendersConfigError extends ConfigError {
  constructor(readonly mistakes: Array<{ variable: string; reason: string }>) {
    super(mistakes[0]!.variable, mistakes[0]!.reason);
    this.message = mistakes
      .map((m) => `invalid configuration: ${m.variable}${m.reason.startsWith('=') ? '' : ' '}${m.reason}`)
      .join('\n');
  }
}

/**
 * Reads the senders and portfolios from the environment. With neither SENDERS nor SENDERS_FILE, SOBOT_API_KEY alone
 * is one sender `default` whose rate is `fallbackRate` (the global SEND_RATE: nothing changes for one account).
 */
export function loadSenders(env: NodeJS.ProcessEnv, fallbackRate: number): SendersConfig {
  const mistakes: Array<{ variable: string; reason: string }> = [];
  const wrong = (variable: string, reason: string) => mistakes.push({ variable, reason });
  const given = (name: string) => (env[name] !== undefined && env[name] !== '' ? env[name] : undefined);

  const portfolios: Record<string, PortfolioConfig> = {};
  const portfoliosText = given('PORTFOLIOS');
  if (portfoliosText !== undefined) {
    const parsed = parseJson(portfoliosText);
    if (!parsed.ok) wrong('PORTFOLIOS', `is not JSON: ${parsed.message}`);
    else if (!isObject(parsed.value))
      wrong('PORTFOLIOS', 'must be a JSON object: {"<portfolio>":{"messaging_limit":…}}');
    else {
      for (const [name, p] of Object.entries(parsed.value)) {
        const at = `PORTFOLIOS["${shown(name)}"]`;
        if (!ID.test(name)) wrong(at, 'is not a usable portfolio name (letters, digits, _ . -; at most 64)');
        if (!isObject(p)) {
          wrong(at, 'must be an object: {"messaging_limit": 250|2000|10000|100000|null}');
          continue;
        }
        for (const k of Object.keys(p)) if (k !== 'messaging_limit') wrong(`${at}.${shown(k)}`, 'is not a known field');
        const limit = p.messaging_limit ?? null;
        if (limit !== null && !(Number.isInteger(limit) && (limit as number) >= 1 && (limit as number) <= 1e9))
          wrong(`${at}.messaging_limit`, 'must be a whole number of unique numbers per 24 h (e.g. 250) or null');
        else portfolios[name] = { messaging_limit: limit as number | null };
      }
    }
  }

  const sendersText = given('SENDERS');
  const sendersFile = given('SENDERS_FILE');
  let list: unknown;
  let source = 'SENDERS';
  if (sendersText !== undefined && sendersFile !== undefined) {
    wrong('SENDERS_FILE', 'cannot be set together with SENDERS: use one of them');
  } else if (sendersFile !== undefined) {
    source = 'SENDERS_FILE';
    let text: string | undefined;
    try {
      text = readFileSync(sendersFile, 'utf8');
    } catch (err) {
      wrong(
        'SENDERS_FILE',
        `="${shown(sendersFile)}" cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    if (text !== undefined) {
      const parsed = parseJson(text);
      if (parsed.ok) list = parsed.value;
      else wrong('SENDERS_FILE', `does not hold JSON: ${parsed.message}`);
    }
  } else if (sendersText !== undefined) {
    const parsed = parseJson(sendersText);
    if (parsed.ok) list = parsed.value;
    else wrong('SENDERS', `is not JSON: ${parsed.message}`);
  }

  const senders: SenderConfig[] = [];
  let single = false;
  if (sendersText === undefined && sendersFile === undefined) {
    const key = given('SOBOT_API_KEY');
    if (key === undefined) wrong('SOBOT_API_KEY', 'is missing (or list the accounts in SENDERS or SENDERS_FILE)');
    else {
      single = true;
      senders.push({
        id: 'default',
        rate: fallbackRate,
        portfolio: DEFAULT_PORTFOLIO,
        numbers: [],
        credentials: new Credentials(key, given('SOBOT_API_SECRET') ?? ''),
      });
    }
  } else if (list !== undefined) {
    if (!Array.isArray(list) || list.length === 0)
      wrong(source, 'must be a non-empty JSON array of {"id","api_key","api_secret","rate","portfolio"}');
    else {
      const seen = new Set<string>();
      list.forEach((s: unknown, i) => {
        const at = `${source}[${i}]`;
        if (!isObject(s)) {
          wrong(at, 'must be an object with "id" and "api_key"');
          return;
        }
        for (const k of Object.keys(s)) if (!SENDER_FIELDS.has(k)) wrong(`${at}.${shown(k)}`, 'is not a known field');
        const ok = mistakes.length;
        const id = s.id;
        if (typeof id !== 'string' || !ID.test(id))
          wrong(`${at}.id`, 'must be a name of letters, digits, _ . - (at most 64)');
        else if (seen.has(id)) wrong(`${at}.id`, `"${id}" is listed twice`);
        if (typeof s.api_key !== 'string' || s.api_key.trim() === '')
          wrong(`${at}.api_key`, 'must be a non-empty string');
        if (s.api_secret !== undefined && typeof s.api_secret !== 'string')
          wrong(`${at}.api_secret`, 'must be a string');
        const rate = s.rate ?? DEFAULT_SENDER_RATE;
        if (typeof rate !== 'number' || !(rate > 0) || rate > 100_000)
          wrong(`${at}.rate`, 'must be a number of messages per second, above 0 and at most 100000');
        const portfolio = s.portfolio ?? DEFAULT_PORTFOLIO;
        if (typeof portfolio !== 'string' || !ID.test(portfolio))
          wrong(`${at}.portfolio`, 'must be a portfolio name (letters, digits, _ . -)');
        const numbers = s.numbers ?? [];
        if (!Array.isArray(numbers) || numbers.some((n) => typeof n !== 'string' || !/^\+?[\d\s-]{5,20}$/.test(n)))
          wrong(`${at}.numbers`, 'must be a list of the business phone numbers (digits)');
        if (typeof id === 'string') seen.add(id);
        if (mistakes.length > ok) return;
        senders.push({
          id: id as string,
          rate: rate as number,
          portfolio: portfolio as string,
          numbers: (numbers as string[]).map((n) => n.replace(/\D/g, '')),
          credentials: new Credentials(s.api_key as string, (s.api_secret as string | undefined) ?? ''),
        });
      });
    }
  }
  if (mistakes.length > 0) throw new SendersConfigError(mistakes);
  for (const s of senders) portfolios[s.portfolio] ??= { messaging_limit: null };
  return { senders, portfolios, single };
}

/** Like loadSenders; on a mistake prints its lines to stderr and exits with code 78 (EX_CONFIG). */
export function loadSendersOrExit(env: NodeJS.ProcessEnv, fallbackRate: number): SendersConfig {
  try {
    return loadSenders(env, fallbackRate);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** JSON.parse's complaint, without the text it quotes (it may hold a secret). */
function parseJson(text: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch (err) {
    const at = /position (\d+)/.exec((err as Error).message)?.[1];
    return { ok: false, message: at ? `syntax error at character ${at}` : 'syntax error' };
  }
}

/** A name from the configuration shown in a message: short, printable (never a secret's value). */
function shown(s: string): string {
  return s.replace(/[^\x20-\x7e]/g, '?').slice(0, 40);
}
