import { z } from 'zod';

/** A bad or missing environment variable. The message names it, in one line. */
export class ConfigError extends Error {
  readonly code = 'CONFIG_INVALID';
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`invalid configuration: ${variable}${reason.startsWith('=') ? '' : ' '}${reason}`);
    this.name = 'ConfigError';
  }
}

/** Validates `env` against an app's schema once; the first problem becomes a ConfigError naming the variable. */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  const cleaned: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (v !== undefined && v !== '') cleaned[k] = v;
  const parsed = schema.safeParse(cleaned);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const variable = String(issue?.path[0] ?? 'environment');
  const got = cleaned[variable];
  const shown =
    got === undefined
      ? 'is missing'
      : isSecret(variable)
        ? 'is invalid'
        : `="${withoutQuery(got).slice(0, 80)}" is invalid`;
  throw new ConfigError(variable, `${shown}: ${issue?.message ?? 'invalid'}`);
}

function isSecret(variable: string): boolean {
  return /KEY|SECRET|PASSWORD|TOKEN/.test(variable);
}

/** A URL's query string can carry a token (`?token=…`): never shown. */
function withoutQuery(value: string): string {
  const query = value.indexOf('?');
  return query < 0 ? value : `${value.slice(0, query)}?…`;
}

/** Calls loadConfig and, on a ConfigError, prints its one line to stderr and exits with code 78 (EX_CONFIG). */
export function loadConfigOrExit<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.output<S> {
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(78);
    }
    throw err;
  }
}
