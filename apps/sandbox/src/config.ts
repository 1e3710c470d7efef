import { int, list, logEnv, type LogFormat } from '@sobot/config';
import { z } from 'zod';
import { numberPattern, upstreamCode, type Faults } from './faults';
import { keyPairSchema } from './keys';
import type { SandboxOptions } from './sandbox';

const KEYS = 'must be a JSON array of {"id","api_key","api_secret","rate","fail_after"} (the worker\'s SENDERS works)';
/** A JSON array of key pairs; the message never quotes the text (it holds secrets). */
const keyPairs = z.string().transform((s, ctx) => {
  let value: unknown;
  try {
    value = JSON.parse(s);
  } catch {
    ctx.issues.push({ code: 'custom', input: '', message: `is not JSON: ${KEYS}` });
    return z.NEVER;
  }
  const parsed = z.array(keyPairSchema).min(1).safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    ctx.issues.push({ code: 'custom', input: '', message: `[${issue?.path.join('.')}] ${issue?.message}: ${KEYS}` });
    return z.NEVER;
  }
  return parsed.data;
});

const RATIO = 'must be a number from 0 to 1';
const ratio = z.coerce.number({ error: RATIO }).min(0, RATIO).max(1, RATIO);
/** Inside a list an empty item must not read as 0. */
const ratioText = z
  .string()
  .regex(/^\d+(\.\d+)?$/, RATIO)
  .transform(Number)
  .pipe(z.number().max(1, RATIO));
const codeText = z.string().regex(/^\d+$/, 'the code must be digits').transform(Number).pipe(upstreamCode);

const LATENCY = "must be milliseconds ('50') or a uniform range ('20-80')";
const latency = z
  .string()
  .regex(/^\d+(\.\d+)?(-\d+(\.\d+)?)?$/, LATENCY)
  .transform((s) => {
    const [min = 0, max = min] = s.split('-').map(Number);
    return min === max ? min : { min, max };
  })
  .refine((l) => typeof l === 'number' || l.min <= l.max, 'the range must go from low to high');

/**
 * A comma list of `key:value` items (`9199*:131050, 131000:0.05`) as a record; a bad item is named
 * with why it is wrong.
 */
function pairs<V>(form: string, key: z.ZodType<string>, value: z.ZodType<V>) {
  return list.transform((items, ctx) => {
    const record: Record<string, V> = {};
    for (const item of items) {
      const colon = item.lastIndexOf(':');
      const k = key.safeParse(item.slice(0, Math.max(colon, 0)).trim());
      const v = value.safeParse(item.slice(colon + 1).trim());
      if (colon < 0 || !k.success || !v.success) {
        const why = colon < 0 ? 'no colon' : (k.error ?? v.error)?.issues[0]?.message;
        ctx.issues.push({ code: 'custom', input: item, message: `"${item}" is not ${form}: ${why}` });
        return z.NEVER;
      }
      record[k.data] = v.data;
    }
    return record;
  });
}

const codeKey = codeText.transform(String);

/** The sandbox's environment: one variable per fault knob, each as the faults API names it. */
export const sandboxConfigSchema = z
  .object({
    ...logEnv,
    /** Port to listen on; 0 picks a free one. */
    SANDBOX_PORT: int(0, 65535).default(3900),
    SANDBOX_HOST: z.string().default('127.0.0.1'),
    /** When set, requests must carry this x-api-key (the same variable the worker sends with). */
    SOBOT_API_KEY: z.string().optional(),
    /** When set, requests must carry this x-api-secret. */
    SOBOT_API_SECRET: z.string().optional(),
    /** Several key pairs, each with its own throughput limit and faults (SPEC §15); SENDERS is read when unset. */
    SANDBOX_KEYS: keyPairs.optional(),
    SENDERS: keyPairs.optional(),
    /** 131056 when one number gets two requests from one key closer than this many ms (0: never). */
    SANDBOX_PAIR_INTERVAL_MS: int(0, 86_400_000).optional(),
    /** Comma list of key ids answered 401 (revoked keys). */
    SANDBOX_REVOKED_KEYS: list.optional(),
    SANDBOX_LATENCY_MS: latency.optional(),
    /** Share of requests answered with SANDBOX_ERROR_STATUS. */
    SANDBOX_ERROR_RATIO: ratio.optional(),
    SANDBOX_ERROR_STATUS: int(500, 599).optional(),
    /** Share of requests answered 429 with Retry-After: SANDBOX_RETRY_AFTER seconds. */
    SANDBOX_429_RATIO: ratio.optional(),
    SANDBOX_RETRY_AFTER: int(0, 86_400).optional(),
    /** Share of requests never answered. */
    SANDBOX_HANG_RATIO: ratio.optional(),
    /** Share of requests whose connection is reset. */
    SANDBOX_RESET_RATIO: ratio.optional(),
    /** Comma list of numbers outside the 24-hour window; '9198*' is a prefix. */
    SANDBOX_CLOSED_NUMBERS: list.optional(),
    /** `number:code` comma list: valid requests for these numbers get that upstream error ('9199*' a prefix). */
    SANDBOX_NUMBER_CODES: pairs('number:code', numberPattern, codeText).optional(),
    /** `code:ratio` comma list: that share of all requests gets that upstream error. */
    SANDBOX_CODE_RATIOS: pairs('code:ratio', codeKey, ratioText).optional(),
    /** How upstream error codes are worded: sobot (Sobot's envelope), meta (Meta's error object) or flat. */
    SANDBOX_ERROR_SHAPE: z.enum(['sobot', 'meta', 'flat'], { error: 'must be sobot, meta or flat' }).optional(),
    /** `number:code` comma list: accepted, then the status callback reports failed with the code. */
    SANDBOX_CALLBACK_FAILURES: pairs('number:code', numberPattern, codeText).optional(),
    /** Requests admitted per second before 429s; 0 means no cap. */
    SANDBOX_MAX_RPS: int(0, 1_000_000).optional(),
    /** Where status and inbound events are posted; may carry ?token=. */
    SANDBOX_WEBHOOK_URL: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    /** App secret: every webhook post is signed with X-Hub-Signature-256 (empty: unsigned). Never logged. */
    SANDBOX_WEBHOOK_SECRET: z.string().optional(),
    SANDBOX_WEBHOOK_DELAY_MS: int(0, 600_000).optional(),
    /** Comma list of the events to send after each 200, in order: sent, delivered, read. */
    SANDBOX_WEBHOOK_STATUSES: list
      .pipe(z.array(z.enum(['sent', 'delivered', 'read'], { error: 'must be a comma list of sent, delivered, read' })))
      .optional(),
  })
  .transform((e) => {
    const faults: Partial<Faults> = {
      latencyMs: e.SANDBOX_LATENCY_MS,
      errorRatio: e.SANDBOX_ERROR_RATIO,
      errorStatus: e.SANDBOX_ERROR_STATUS,
      rateLimitRatio: e.SANDBOX_429_RATIO,
      retryAfterSeconds: e.SANDBOX_RETRY_AFTER,
      hangRatio: e.SANDBOX_HANG_RATIO,
      resetRatio: e.SANDBOX_RESET_RATIO,
      closedNumbers: e.SANDBOX_CLOSED_NUMBERS,
      numberCodes: e.SANDBOX_NUMBER_CODES,
      codeRatios: e.SANDBOX_CODE_RATIOS,
      errorShape: e.SANDBOX_ERROR_SHAPE,
      callbackFailures: e.SANDBOX_CALLBACK_FAILURES,
      maxRps: e.SANDBOX_MAX_RPS,
      pairIntervalMs: e.SANDBOX_PAIR_INTERVAL_MS,
      revokedKeys: e.SANDBOX_REVOKED_KEYS,
    };
    const webhook = e.SANDBOX_WEBHOOK_URL
      ? {
          url: e.SANDBOX_WEBHOOK_URL,
          delayMs: e.SANDBOX_WEBHOOK_DELAY_MS,
          statuses: e.SANDBOX_WEBHOOK_STATUSES,
          secret: e.SANDBOX_WEBHOOK_SECRET || undefined,
        }
      : undefined;
    const config: SandboxConfig = {
      logLevel: e.LOG_LEVEL,
      logFormat: e.LOG_FORMAT,
      port: e.SANDBOX_PORT,
      host: e.SANDBOX_HOST,
      apiKey: e.SOBOT_API_KEY,
      apiSecret: e.SOBOT_API_SECRET,
      keys: e.SANDBOX_KEYS ?? e.SENDERS,
      faults,
      webhook,
    };
    return config;
  });

export interface SandboxConfig extends SandboxOptions {
  logLevel: string;
  logFormat: LogFormat;
  port: number;
  host: string;
}
