import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '@sobot/config';

/** The deploy files (docker-compose.yml, Dockerfile, .dockerignore) checked without a docker engine. */

const root = resolve(__dirname, '../../..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** The variables of the README's configuration table (every backticked name in a row's first cell). */
const readme = read('README.md');
const section = readme.slice(readme.indexOf('## Configuration (environment)'));
const tableVariables = section
  .slice(0, section.indexOf('\n## ', 1))
  .split('\n')
  .filter((line) => line.startsWith('| `'))
  .flatMap((line) => [...(line.split('|')[1] ?? '').matchAll(/`([A-Z][A-Z0-9_]*)`/g)].map((m) => m[1] ?? ''));

/** SPEC §4, plus the variables every app accepts beside the table. */
const SPEC_VARIABLES = new Set([
  'REDIS_URL',
  'REDIS_CLUSTER',
  'SOBOT_API_URL',
  'SOBOT_API_KEY',
  'SOBOT_API_SECRET',
  'SEND_RATE',
  'WORKER_CONCURRENCY',
  'MAX_ATTEMPTS',
  'PORT',
  'API_KEYS',
  'BOARD_USER',
  'BOARD_PASSWORD',
  'DEFAULT_COUNTRY_CODE',
  'LOG_LEVEL',
  'MAX_UPLOAD_BYTES',
  'WEBHOOK_TOKEN',
]);
// METRICS_TOKEN, ALLOW_PRIVATE_URLS and the webhook's: SPEC §14 hardening; the keywords: SPEC §12.
const EXTRA_VARIABLES = new Set([
  'REDIS_PREFIX',
  'PORT',
  'HOST',
  'METRICS_TOKEN',
  'ALLOW_PRIVATE_URLS',
  'WEBHOOK_APP_SECRET',
  'WEBHOOK_OPEN',
  'WEBHOOK_MAX_BYTES',
  'WEBHOOK_MAX_EVENTS',
  'OPT_OUT_KEYWORDS',
  'OPT_IN_KEYWORDS',
  // SPEC §22: workbooks are bounded.
  'MAX_XLSX_EXPANDED_BYTES',
  'MAX_XLSX_SHARED_STRINGS',
  // SPEC §22: bounded load.
  'MAX_CONCURRENT_UPLOADS',
]);
const isKnownVariable = (name: string) =>
  SPEC_VARIABLES.has(name) || EXTRA_VARIABLES.has(name) || tableVariables.includes(name) || name.startsWith('SANDBOX_');

const SECRETS = [
  'API_KEYS',
  'SOBOT_API_KEY',
  'SOBOT_API_SECRET',
  'BOARD_PASSWORD',
  'WEBHOOK_TOKEN',
  'WEBHOOK_APP_SECRET',
  'SANDBOX_WEBHOOK_SECRET',
];
/** `${NAME}`, `${NAME:-}` or `${NAME:?message}`: taken from the host, with no fallback value. */
const HOST_REFERENCE = /^\$\{([A-Z][A-Z0-9_]*)(:?\?[^}]*|:?-)?\}$/;

const text = z.union([z.string(), z.number(), z.boolean()]).transform(String);
const service = z.looseObject({
  image: z.string().optional(),
  build: z
    .looseObject({
      context: z.string(),
      dockerfile: z.string().optional(),
      args: z.record(z.string(), text).optional(),
    })
    .optional(),
  command: z.union([z.string(), z.array(text)]).optional(),
  environment: z
    .union([
      z.record(z.string(), text.nullable()),
      z
        .array(z.string())
        .transform((list) =>
          Object.fromEntries(
            list.map((kv) => [kv.split('=')[0] ?? kv, kv.includes('=') ? kv.slice(kv.indexOf('=') + 1) : null]),
          ),
        ),
    ])
    .optional(),
  ports: z.array(z.union([text, z.looseObject({ published: text.optional() })])).optional(),
  volumes: z
    .array(z.union([z.string(), z.looseObject({ source: z.string().optional(), target: z.string() })]))
    .optional(),
  healthcheck: z.looseObject({ test: z.union([z.string(), z.array(z.string())]) }).optional(),
  depends_on: z
    .union([z.array(z.string()), z.record(z.string(), z.looseObject({ condition: z.string().optional() }))])
    .optional(),
  profiles: z.array(z.string()).optional(),
  entrypoint: z.union([z.string(), z.array(z.string())]).optional(),
  container_name: z.string().optional(),
  stop_grace_period: z.string().optional(),
  restart: z.string().optional(),
});
const composeSchema = z.looseObject({
  services: z.record(z.string(), service),
  volumes: z.record(z.string(), z.unknown()).optional(),
});

const composeText = read('docker-compose.yml');
const compose = composeSchema.parse(parse(composeText));
const services = compose.services;
const get = (name: string) => {
  const s = services[name];
  if (!s) throw new Error(`docker-compose.yml has no service "${name}"`);
  return s;
};
const env = (name: string) => Object.entries(get(name).environment ?? {});
const commandLine = (c: string | string[] | undefined) => (Array.isArray(c) ? c.join(' ') : (c ?? ''));

/** Compose durations: "45s", "1m30s", "500ms". */
function seconds(duration: string): number {
  const units: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 0.001, us: 1e-6 };
  const parts = [...duration.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us)/g)];
  if (parts.map((p) => p[0]).join('') !== duration) throw new Error(`not a duration: ${duration}`);
  return parts.reduce((sum, [, n, unit]) => sum + Number(n) * (units[unit ?? 's'] ?? 1), 0);
}

describe('docker-compose.yml', () => {
  it('is a Compose spec file (no version key) with redis, producer, worker, sandbox, prometheus and grafana', () => {
    expect(parse(composeText)).not.toHaveProperty('version');
    expect(Object.keys(services).sort()).toEqual(['grafana', 'producer', 'prometheus', 'redis', 'sandbox', 'worker']);
  });

  it('runs redis with AOF on, noeviction and its data on a named volume', () => {
    const redis = get('redis');
    const command = commandLine(redis.command);
    expect(command).toMatch(/--appendonly\s+yes/);
    expect(command).toMatch(/--maxmemory-policy\s+noeviction/);
    const data = (redis.volumes ?? []).map((v) => (typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target]));
    const named = data.find(([, target]) => target === '/data');
    expect(named).toBeDefined();
    expect(Object.keys(compose.volumes ?? {})).toContain(named?.[0]);
  });

  it('builds each app from the Dockerfile with APP naming an app that exists', () => {
    for (const name of ['producer', 'worker', 'sandbox']) {
      const build = get(name).build;
      expect(build?.args?.APP).toBe(name);
      expect(existsSync(join(root, build?.context ?? '', build?.dockerfile ?? 'Dockerfile'))).toBe(true);
      expect(existsSync(join(root, 'apps', name, 'src/main.ts'))).toBe(true);
    }
  });

  it('lets the worker scale: no container_name, no host port, a grace period past its 30s shutdown deadline', () => {
    const worker = get('worker');
    expect(worker.container_name).toBeUndefined();
    expect(worker.ports ?? []).toEqual([]);
    expect(seconds(worker.stop_grace_period ?? '10s')).toBeGreaterThan(30);
    expect(worker.restart).toBeDefined();
  });

  it('keeps the sandbox under a profile', () => {
    expect(get('sandbox').profiles?.length).toBeGreaterThan(0);
    for (const name of ['redis', 'producer', 'worker']) expect(get(name).profiles).toBeUndefined();
  });

  it('health-checks every service but the worker (which has no port)', () => {
    for (const [name, s] of Object.entries(services)) {
      if (name !== 'worker') expect({ name, test: s.healthcheck?.test }).toEqual({ name, test: expect.anything() });
    }
    expect(commandLine(get('producer').healthcheck?.test)).toContain('/readyz');
    expect(commandLine(get('sandbox').healthcheck?.test)).toContain('/_sandbox/health');
  });

  it('starts producer and worker only once redis is healthy', () => {
    for (const name of ['producer', 'worker']) {
      expect(get(name).depends_on).toMatchObject({ redis: { condition: 'service_healthy' } });
    }
  });

  it('writes no secret: secret variables are host references without a fallback value', () => {
    for (const [name, s] of Object.entries(services)) {
      for (const [variable, value] of Object.entries(s.environment ?? {})) {
        const secret = SECRETS.includes(variable) || /KEY|SECRET|PASSWORD|TOKEN/.test(variable);
        if (secret)
          expect({ service: name, variable, value }).toEqual({
            service: name,
            variable,
            value: expect.stringMatching(HOST_REFERENCE),
          });
      }
    }
    expect(env('producer').find(([k]) => k === 'API_KEYS')?.[1]).toMatch(/^\$\{API_KEYS:\?/);
    expect(env('worker').find(([k]) => k === 'SOBOT_API_KEY')?.[1]).toMatch(/^\$\{SOBOT_API_KEY:\?/);
  });

  it("gives the sandbox the producer's webhook and the same app secret, so its signed callbacks are taken", () => {
    const producer = Object.fromEntries(env('producer'));
    const sandbox = Object.fromEntries(env('sandbox'));
    expect(producer.WEBHOOK_APP_SECRET).toBe('${WEBHOOK_APP_SECRET:-}');
    expect(sandbox.SANDBOX_WEBHOOK_SECRET).toBe(producer.WEBHOOK_APP_SECRET);
    expect(sandbox.SANDBOX_WEBHOOK_URL).toMatch(
      /^\$\{SANDBOX_WEBHOOK_URL:-http:\/\/producer:3000\/v1\/webhooks\/sobot\}$/,
    );
    // Closed by default: nothing opens the webhook unless the host says so.
    expect(producer.WEBHOOK_OPEN).toBe('${WEBHOOK_OPEN:-false}');
  });

  it('sets only variables SPEC §4 lists on producer and worker, and points both at the redis service', () => {
    for (const name of ['producer', 'worker']) {
      const unknown = env(name)
        .map(([k]) => k)
        .filter((k) => !isKnownVariable(k));
      expect({ name, unknown }).toEqual({ name, unknown: [] });
      expect(env(name)).toContainEqual(['REDIS_URL', 'redis://redis:6379']);
      // Variables interpolated anywhere in the service's values come from the same list.
      const referenced = env(name).flatMap(([, v]) =>
        [...(v ?? '').matchAll(/\$\{([A-Z0-9_]+)/g)].map((m) => m[1] ?? ''),
      );
      expect({ name, unknown: referenced.filter((k) => !isKnownVariable(k)) }).toEqual({ name, unknown: [] });
    }
  });
});

/**
 * SPEC §20 "Containers get every setting". What an app reads is decided from its code: the schema its main.ts hands
 * to loadConfig; what the operator can set is the README's configuration table. The sandbox's own knobs
 * (`SANDBOX_*`) are documented in apps/sandbox/README.md instead of the table.
 */
describe('docker-compose.yml and the configuration table', () => {
  /** The config schema an app's main.ts loads, found in its source (`loadConfigOrExit(<schema>)` and its import). */
  function appSchema(app: string): z.ZodType {
    const main = read(`apps/${app}/src/main.ts`);
    const name = /loadConfig(?:OrExit)?\((\w+)/.exec(main)?.[1];
    if (!name) throw new Error(`apps/${app}/src/main.ts loads no config schema`);
    const from = new RegExp(`import\\s*\\{[^}]*\\b${name}\\b[^}]*\\}\\s*from\\s*'([^']+)'`).exec(main)?.[1];
    if (!from?.startsWith('.')) throw new Error(`apps/${app}/src/main.ts: no local import of ${name}`);
    const mod: unknown = require(resolve(root, 'apps', app, 'src', from));
    const schema: unknown = typeof mod === 'object' && mod !== null ? Reflect.get(mod, name) : undefined;
    if (!(schema instanceof z.ZodType)) throw new Error(`apps/${app}/src/${from}: ${name} is not a zod schema`);
    return schema;
  }

  /** The environment variables a schema reads: the keys of its object, under any transform or refinement. */
  function variablesOf(schema: z.ZodType): string[] {
    if (schema instanceof z.ZodObject) return Object.keys(schema.shape);
    if (schema instanceof z.ZodPipe) return variablesOf(schema.in as z.ZodType);
    throw new Error(`cannot read the variables of a ${schema.def.type} schema`);
  }

  /** Each service of the compose file that runs one of our apps, with that app's schema and variables. */
  const apps = Object.entries(services).flatMap(([name, s]) => {
    const app = s.build?.args?.APP;
    if (!app) return [];
    const schema = appSchema(app);
    return [{ service: name, app, schema, reads: variablesOf(schema) }];
  });
  /** The least environment each app starts with (its required variables). */
  const REQUIRED: Record<string, Record<string, string>> = {
    producer: { API_KEYS: 'k' },
    worker: { SOBOT_API_KEY: 'k' },
    sandbox: {},
  };
  const load = (app: string, schema: z.ZodType, extra: Record<string, string>) =>
    loadConfig(schema, { ...REQUIRED[app], ...extra });

  it('finds the apps and what they read from their code', () => {
    expect(apps.map((a) => a.app).sort()).toEqual(['producer', 'sandbox', 'worker']);
    const reads = Object.fromEntries(apps.map((a) => [a.app, a.reads]));
    expect(reads.producer).toEqual(expect.arrayContaining(['API_KEYS', 'QUIET_HOURS', 'RESULT_TTL_DAYS']));
    expect(reads.worker).toEqual(expect.arrayContaining(['SEND_RATE', 'FREQUENCY_CAP_HOURS', 'SOBOT_TIMEOUT_MS']));
    expect(tableVariables).toEqual(expect.arrayContaining(['REDIS_URL', 'PORT', 'HOST', 'FREQUENCY_CAP_HOURS']));
  });

  it('lists in the table every variable producer and worker read (sandbox knobs aside)', () => {
    for (const { app, reads } of apps) {
      const missing = reads.filter((v) => !tableVariables.includes(v) && !v.startsWith('SANDBOX_'));
      expect({ app, missing }).toEqual({ app, missing: [] });
    }
  });

  it('passes every table variable an app reads to its service', () => {
    const missing = apps.flatMap(({ service, reads }) => {
      const given = new Set(env(service).map(([k]) => k));
      return tableVariables.filter((v) => reads.includes(v) && !given.has(v)).map((v) => `${service}: ${v}`);
    });
    expect(missing).toEqual([]);
  });

  it("takes each table variable from the host under its own name (or pins it, for the container's sake)", () => {
    // Pinned: where Redis is (the compose service) and where the producer listens inside its container.
    const PINNED = new Set(['REDIS_URL', 'PORT', 'HOST']);
    for (const { service } of apps) {
      for (const [variable, value] of env(service)) {
        if (!tableVariables.includes(variable) || PINNED.has(variable)) continue;
        const host =
          HOST_REFERENCE.exec(value ?? '')?.[1] ?? /^\$\{([A-Z][A-Z0-9_]*):?-[^}]*\}$/.exec(value ?? '')?.[1];
        expect({ service, variable, host }).toEqual({ service, variable, host: variable });
      }
    }
  });

  it("reads a compose fallback as the app's own default, and an empty value as unset", () => {
    // Compose hands `${NAME:-}` over as an empty string: the app must read it as unset, not as "" or 0.
    // A fallback other than empty must be the default the app would use anyway (one default, not two).
    const WIRED = new Set(['SANDBOX_WEBHOOK_URL', 'SANDBOX_HOST', 'SANDBOX_PORT']);
    for (const { service, app, schema } of apps) {
      const unset = load(app, schema, {});
      for (const [variable, value] of env(service)) {
        const fallback = /^\$\{[A-Z][A-Z0-9_]*:?-([^}]*)\}$/.exec(value ?? '')?.[1];
        if (fallback === undefined || WIRED.has(variable)) continue;
        const given = load(app, schema, { [variable]: fallback });
        expect({ service, variable, fallback, config: given }).toEqual({ service, variable, fallback, config: unset });
      }
    }
  });

  it('an empty compliance setting is unset (compose passes `${QUIET_HOURS:-}` as "")', () => {
    const producer = apps.find((a) => a.app === 'producer')!;
    const worker = apps.find((a) => a.app === 'worker')!;
    expect(load('producer', producer.schema, { QUIET_HOURS: '' })).toMatchObject({ QUIET_HOURS: null });
    expect(load('producer', producer.schema, { QUIET_HOURS: '21:00-08:00' })).not.toMatchObject({ QUIET_HOURS: null });
    expect(load('worker', worker.schema, { FREQUENCY_CAP_HOURS: '' })).not.toHaveProperty(
      'FREQUENCY_CAP_HOURS',
      expect.anything(),
    );
    expect(load('worker', worker.schema, { FREQUENCY_CAP_HOURS: '24' })).toMatchObject({ FREQUENCY_CAP_HOURS: 24 });
    expect(load('worker', worker.schema, { SOBOT_TIMEOUT_MS: '', RESULT_TTL_DAYS: '' })).toMatchObject({
      SOBOT_TIMEOUT_MS: 15_000,
      RESULT_TTL_DAYS: 30,
    });
  });
});

/** Issue 24: Prometheus and Grafana come with the repository, off unless the `monitoring` profile is asked for. */
describe('docker-compose.yml: the monitoring profile', () => {
  const MONITORING = ['prometheus', 'grafana'];
  /** `host:container[:mode]` bind mounts of a service (named volumes left out). */
  const binds = (name: string) =>
    (get(name).volumes ?? [])
      .map((v) => (typeof v === 'string' ? v.split(':') : [v.source ?? '', v.target]))
      .filter(([source]) => source?.startsWith('.'))
      .map(([source, target]) => ({ source: source ?? '', target: target ?? '' }));

  it('puts prometheus and grafana under the monitoring profile only, so a plain `up` does not start them', () => {
    for (const name of MONITORING)
      expect({ name, profiles: get(name).profiles }).toEqual({ name, profiles: ['monitoring'] });
    // Nothing that runs without a profile depends on them.
    for (const [name, s] of Object.entries(services)) {
      if (s.profiles?.length) continue;
      const deps = Array.isArray(s.depends_on) ? s.depends_on : Object.keys(s.depends_on ?? {});
      expect({ name, deps: deps.filter((d) => MONITORING.includes(d)) }).toEqual({ name, deps: [] });
    }
  });

  it('runs the official images, host ports on loopback only', () => {
    expect(get('prometheus').image).toMatch(/^prom\/prometheus(:|$)/);
    expect(get('grafana').image).toMatch(/^grafana\/grafana(:|$)/);
    for (const name of MONITORING) {
      for (const port of get(name).ports ?? [])
        expect({ name, port }).toEqual({ name, port: expect.stringMatching(/^127\.0\.0\.1:/) });
    }
  });

  it('mounts deploy/prometheus where prometheus reads its config, and the config scrapes the producer', () => {
    const mounts = binds('prometheus');
    expect(mounts).toContainEqual({ source: './deploy/prometheus', target: '/etc/prometheus' });
    for (const file of ['prometheus.yml', 'alerts.yml', 'alerts.test.yml'])
      expect(existsSync(join(root, 'deploy/prometheus', file))).toBe(true);
    expect(commandLine(get('prometheus').entrypoint)).toContain('--config.file=/etc/prometheus/prometheus.yml');
    const config = parse(read('deploy/prometheus/prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }>;
    };
    expect(config.rule_files).toEqual(['alerts.yml']);
    expect(config.scrape_configs.flatMap((c) => c.static_configs.flatMap((s) => s.targets))).toEqual(['producer:3000']);
    // The token reaches prometheus from the host, never written in the file.
    expect(Object.fromEntries(env('prometheus')).METRICS_TOKEN).toBe('${METRICS_TOKEN:-}');
  });

  it('provisions grafana with the datasource and the dashboard from files that exist', () => {
    const mounts = binds('grafana');
    expect(mounts).toEqual(
      expect.arrayContaining([
        { source: './deploy/grafana/provisioning', target: '/etc/grafana/provisioning' },
        { source: './deploy/grafana/dashboards', target: '/var/lib/grafana/dashboards' },
      ]),
    );
    for (const { source } of mounts)
      expect({ source, exists: existsSync(join(root, source)) }).toEqual({ source, exists: true });
    const datasources = parse(read('deploy/grafana/provisioning/datasources/prometheus.yml')) as {
      datasources: Array<{ type: string; url: string }>;
    };
    expect(datasources.datasources).toEqual([
      expect.objectContaining({ type: 'prometheus', url: 'http://prometheus:9090' }),
    ]);
    const providers = parse(read('deploy/grafana/provisioning/dashboards/sobot-bulk.yml')) as {
      providers: Array<{ options: { path: string } }>;
    };
    expect(providers.providers.map((p) => p.options.path)).toEqual(['/var/lib/grafana/dashboards']);
    expect(existsSync(join(root, 'deploy/grafana/dashboards/sobot-bulk.json'))).toBe(true);
  });
});

describe('Dockerfile', () => {
  const dockerfile = read('Dockerfile');
  const instructions = dockerfile
    .replace(/\\\r?\n/g, ' ')
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  const of = (keyword: string) => instructions.filter((line) => line.toUpperCase().startsWith(`${keyword} `));

  it('is multi-stage on node:20-bookworm-slim', () => {
    expect(of('FROM').length).toBeGreaterThanOrEqual(2);
    expect(of('FROM')[0]).toMatch(/^FROM\s+node:20-bookworm-slim\b/i);
  });

  it('installs from the lockfile after copying every workspace manifest', () => {
    const install = instructions.findIndex((line) => /pnpm install\b.*--frozen-lockfile/.test(line));
    expect(install).toBeGreaterThan(-1);
    // Sources of the COPY lines before the install: not flags, not the destination (last word).
    const copied = new Set(
      instructions
        .slice(0, install)
        .filter((line) => /^COPY\s/i.test(line))
        .flatMap((line) =>
          line
            .split(/\s+/)
            .slice(1, -1)
            .filter((word) => !word.startsWith('--')),
        ),
    );
    const manifests = ['apps', 'packages'].flatMap((dir) =>
      readdirSync(join(root, dir))
        .filter((d) => existsSync(join(root, dir, d, 'package.json')))
        .map((d) => `${dir}/${d}/package.json`),
    );
    for (const file of ['package.json', 'pnpm-lock.yaml', 'pnpm-workspace.yaml', ...manifests]) {
      expect({ file, copied: copied.has(file) }).toEqual({ file, copied: true });
    }
  });

  it('runs as a non-root user in production mode, with signals reaching node', () => {
    const user = of('USER').at(-1);
    expect(user).toBeDefined();
    expect(user).not.toMatch(/^USER\s+(root|0)(:|\s|$)/i);
    expect(dockerfile).toMatch(/^ENV\s+NODE_ENV=production\b/m);
    expect(dockerfile).toMatch(/^STOPSIGNAL\s+SIGTERM\b/m);
    const cmd = of('CMD').at(-1) ?? '';
    const args = z.array(z.string()).parse(JSON.parse(cmd.replace(/^CMD\s+/i, '')));
    // A shell wrapper must hand its PID to node with exec, or SIGTERM stops at the shell.
    if (args[0] === 'sh' || args[0] === '/bin/sh') expect(args.at(-1)).toMatch(/^exec\s+node\b/);
    // The production build (`pnpm build`), run with plain node.
    expect(args.join(' ')).toContain('apps/${APP}/dist/main.js');
  });

  it('bakes in no secret', () => {
    const baked = [...of('ENV'), ...of('ARG')].filter((line) => /KEY|SECRET|PASSWORD|TOKEN/i.test(line));
    expect(baked).toEqual([]);
  });
});

describe('.dockerignore', () => {
  it('keeps host dependencies, local data, history and env files out of the build context', () => {
    const ignored = read('.dockerignore')
      .split(/\r?\n/)
      .map((l) => l.trim());
    for (const pattern of ['**/node_modules', '**/.data', '.git', '.env']) expect(ignored).toContain(pattern);
  });
});
