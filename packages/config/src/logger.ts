import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import pretty from 'pino-pretty';

/** Every path a secret can take into a log line. */
export const REDACT_PATHS = [
  'apiKey',
  'apiSecret',
  'token',
  'password',
  '*.apiKey',
  '*.apiSecret',
  '*.password',
  '*.token',
  'SOBOT_API_KEY',
  'SOBOT_API_SECRET',
  'API_KEYS',
  'BOARD_PASSWORD',
  'WEBHOOK_TOKEN',
  'WEBHOOK_APP_SECRET',
  'METRICS_TOKEN',
  '*.SOBOT_API_KEY',
  '*.SOBOT_API_SECRET',
  '*.API_KEYS',
  '*.BOARD_PASSWORD',
  '*.WEBHOOK_TOKEN',
  '*.WEBHOOK_APP_SECRET',
  '*.METRICS_TOKEN',
  'req.headers.authorization',
  'req.headers["x-api-key"]',
  'req.headers["x-api-secret"]',
  'headers.authorization',
  'headers["x-api-key"]',
  'headers["x-api-secret"]',
  'req.query.token',
  '*.*.apiKey',
  '*.*.apiSecret',
  '*.*.password',
  'headers.Authorization',
  'req.headers.Authorization',
  'request.headers.authorization',
  // Plugins log their own options objects (e.g. @fastify/multipart at trace: busboyOptions.headers).
  '*.headers.authorization',
  '*.headers["x-api-key"]',
  '*.headers["x-api-secret"]',
  '*.*.headers.authorization',
  '*.*.headers["x-api-key"]',
  '*.*.headers["x-api-secret"]',
];

/** A digit run of phone-number length (8–15, SPEC §6), not part of a longer run. */
const PHONE_LIKE = /(?<!\d)\d{8,15}(?!\d)/g;
/** A JSON string literal as JSON.stringify writes it. */
const JSON_STRING = /"(?:[^"\\]|\\.)*"/g;

/**
 * `919900000022` → `9199****0022`: at most the first and last 4 digits, and always at least 4 hidden (an 8-digit
 * number keeps 2 and 2). The stars do not tell the length.
 */
export function maskDigits(run: string): string {
  const keep = Math.min(4, Math.floor((run.length - 4) / 2));
  return `${run.slice(0, keep)}****${run.slice(run.length - keep)}`;
}

/**
 * Masks every phone-number-like digit run inside the JSON strings of a log line (messages, fields, stacks). JSON
 * numbers are left alone: `time` and counters are numbers, and a phone number is always handled as a string here.
 */
export function maskPhoneNumbers(line: string): string {
  return line.replace(JSON_STRING, (literal) => literal.replace(PHONE_LIKE, maskDigits));
}

/**
 * ioredis errors carry the failed command with its arguments (`err.command.args`): for the ledger scripts those
 * are recipients' numbers and names. The command's name is kept, its arguments never reach a log line.
 */
function withoutCommandArgs(value: unknown, depth = 0): unknown {
  if (!value || typeof value !== 'object' || depth > 8) return value;
  if (Array.isArray(value)) return value.map((v) => withoutCommandArgs(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'command' && v && typeof v === 'object' && !Array.isArray(v)) {
      const name: unknown = (v as { name?: unknown }).name;
      out[key] = { name: typeof name === 'string' ? name : undefined };
    } else if (key === 'args' && depth > 0) {
      continue;
    } else {
      out[key] = withoutCommandArgs(v, depth + 1);
    }
  }
  return out;
}

const errorSerializer = (err: unknown) => withoutCommandArgs(err instanceof Error ? pino.stdSerializers.err(err) : err);

/** The process's logger; `destination` (stdout by default) lets a test read exactly what would be written. */
export function createLogger(
  name: string,
  level: string,
  extra: LoggerOptions = {},
  destination?: DestinationStream,
): Logger {
  const { hooks, serializers, ...rest } = extra;
  const write = hooks?.streamWrite;
  const options: LoggerOptions = {
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    serializers: {
      // Query strings can carry the webhook token: log the path only.
      req: (req: { method?: string; url?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url?.split('?')[0],
      }),
      err: errorSerializer,
      error: errorSerializer,
      ...serializers,
    },
    ...rest,
    // Numbers are masked last, on the finished line, so no field or message can bring one past it.
    hooks: { ...hooks, streamWrite: (line) => (write ? write(maskPhoneNumbers(line)) : maskPhoneNumbers(line)) },
  };
  return destination ? pino(options, destination) : pino(options);
}

export type LogFormat = 'json' | 'pretty';

/**
 * Where a process's lines go for LOG_FORMAT: `json` → stdout as pino writes it (undefined: pino's default);
 * `pretty` → pino-pretty in this thread (synchronous, so a crash loses no line): a local time, level, name,
 * message and the other fields on one line. The line it formats has already been redacted and masked.
 */
export function logDestination(format: LogFormat, stream: NodeJS.WritableStream = process.stdout) {
  if (format === 'json') return undefined;
  return pretty({
    destination: stream,
    sync: true,
    translateTime: 'SYS:yyyy-mm-dd HH:MM:ss.l',
    ignore: 'pid,hostname',
    singleLine: true,
    colorize: stream === process.stdout ? undefined : false,
  });
}

export type { Logger };
