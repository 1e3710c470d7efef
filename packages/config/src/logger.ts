import pino, { type Logger, type LoggerOptions } from 'pino';

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
  'METRICS_TOKEN',
  '*.SOBOT_API_KEY',
  '*.SOBOT_API_SECRET',
  '*.API_KEYS',
  '*.BOARD_PASSWORD',
  '*.WEBHOOK_TOKEN',
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

export function createLogger(name: string, level: string, extra: LoggerOptions = {}): Logger {
  return pino({
    name,
    level,
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    // Query strings can carry the webhook token: log the path only.
    serializers: {
      req: (req: { method?: string; url?: string; id?: string }) => ({
        id: req.id,
        method: req.method,
        url: req.url?.split('?')[0],
      }),
    },
    ...extra,
  });
}

export type { Logger };
