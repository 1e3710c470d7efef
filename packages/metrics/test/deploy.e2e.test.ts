/**
 * The operator's tools in deploy/ (issue 24) against what /metrics really serves: every PromQL expression of the
 * Grafana dashboard and of the alert rules names only series the metrics registry defines (the list comes from
 * the registry, `Metrics.names()`), the expressions parse (promtool), and the alert rules pass their unit tests.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pino from 'pino';
import { parse } from 'yaml';
import { startTestRedis, type TestRedis } from '@sobot/devkit';
import { Store } from '@sobot/store';
import { createMetrics } from '../src';

const ROOT = resolve(__dirname, '../../..');
const DEPLOY = join(ROOT, 'deploy');
const PROMTOOL = spawnSync('promtool', ['--version']).status === 0;
if (!PROMTOOL) console.warn('deploy.test: no promtool on PATH (apt-get install prometheus): promtool checks SKIPPED');

/** PromQL words that are not series names. */
const KEYWORDS = new Set([
  'and',
  'or',
  'unless',
  'bool',
  'by',
  'without',
  'on',
  'ignoring',
  'group_left',
  'group_right',
  'offset',
  'inf',
  'nan',
]);

/**
 * The series names a PromQL expression selects: identifiers left after dropping strings, label matchers,
 * grouping lists, ranges, Grafana variables, numbers and function calls.
 */
function seriesNames(expr: string): string[] {
  const bare = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\$\{?\w+\}?/g, ' ');
  const names = new Set<string>();
  for (const m of bare.matchAll(/(?<![\w.])([a-zA-Z_:][a-zA-Z0-9_:]*)(\s*\()?/g)) {
    const [, name, call] = m;
    if (!name || call || KEYWORDS.has(name.toLowerCase())) continue;
    names.add(name);
  }
  return [...names];
}

interface Panel {
  title?: string;
  type?: string;
  panels?: Panel[];
  datasource?: { uid?: string };
  targets?: Array<{ expr?: string; datasource?: { uid?: string } }>;
}

const dashboard = JSON.parse(readFileSync(join(DEPLOY, 'grafana/dashboards/sobot-bulk.json'), 'utf8')) as {
  uid: string;
  panels: Panel[];
};
const allPanels = (panels: Panel[]): Panel[] => panels.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const panels = allPanels(dashboard.panels).filter((p) => p.type !== 'row');
const dashboardExprs = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr ?? '' })));

const alertRules = (
  parse(readFileSync(join(DEPLOY, 'prometheus/alerts.yml'), 'utf8')) as {
    groups: Array<{ rules: Array<{ alert: string; expr: string }> }>;
  }
).groups.flatMap((g) => g.rules);

let redis: TestRedis;
let store: Store;
let served: Set<string>;

beforeAll(async () => {
  redis = await startTestRedis();
  store = Store.open({ url: redis.url, prefix: redis.prefix, resultTtlDays: 1 }, pino({ level: 'silent' }));
  served = new Set(createMetrics(store).names());
});

afterAll(async () => {
  await store?.close();
  await redis?.close();
});

describe('reading series names out of PromQL', () => {
  it('finds selectors, not functions, labels, keywords or variables', () => {
    expect(
      seriesNames(
        'histogram_quantile(0.95, sum by (le) (rate(sobot_send_latency_seconds_bucket{le!="x"}[$__rate_interval])))',
      ),
    ).toEqual(['sobot_send_latency_seconds_bucket']);
    expect(
      seriesNames(
        'a_total / (b > 0) and on () c{code="rate(x)"} unless ignoring(code) sum without (d) (e[5m] offset 1h)',
      ),
    ).toEqual(['a_total', 'b', 'c', 'e']);
    expect(seriesNames('sobot_nope_total > 1e-3')).toEqual(['sobot_nope_total']);
  });
});

describe('the Grafana dashboard', () => {
  it('has the panels an operator watches, each with a query', () => {
    expect(dashboard.uid).toBe('sobot-bulk');
    const used = new Set(dashboardExprs.flatMap(({ expr }) => seriesNames(expr)));
    for (const name of [
      'sobot_messages_sent_total', // send rate
      'sobot_messages_failed_total', // outcomes by code
      'sobot_messages_skipped_total',
      'sobot_queue_jobs', // queue depth
      'sobot_send_latency_seconds_bucket', // latency quantiles
      'sobot_transactional_lag_seconds_bucket', // transactional lag
      'sobot_system_paused', // pauses
      'sobot_campaigns_paused',
      'sobot_redis_memory_used_bytes',
    ])
      expect({ name, used: used.has(name) }).toEqual({ name, used: true });
    for (const p of panels)
      expect({ panel: p.title, queries: p.targets?.length ?? 0 }).not.toMatchObject({ queries: 0 });
  });

  it('queries only series /metrics serves', () => {
    expect(served.size).toBeGreaterThan(20);
    const unknown = dashboardExprs.flatMap(({ panel, expr }) =>
      seriesNames(expr)
        .filter((n) => !served.has(n))
        .map((name) => ({ panel, name })),
    );
    expect(unknown).toEqual([]);
  });

  it('uses the provisioned datasource', () => {
    const provisioned = parse(
      readFileSync(join(DEPLOY, 'grafana/provisioning/datasources/prometheus.yml'), 'utf8'),
    ) as {
      datasources: Array<{ uid: string; url: string }>;
    };
    const uid = provisioned.datasources[0]?.uid;
    expect(provisioned.datasources[0]?.url).toBe('http://prometheus:9090');
    for (const p of panels) {
      expect({ panel: p.title, uid: p.datasource?.uid }).toEqual({ panel: p.title, uid });
      for (const t of p.targets ?? [])
        expect({ panel: p.title, uid: t.datasource?.uid }).toEqual({ panel: p.title, uid });
    }
  });

  (PROMTOOL ? it : it.skip)('every query is valid PromQL (promtool, as recording rules)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'sobot-dashboard-'));
    try {
      const rules = dashboardExprs.map(({ expr }, i) => ({
        record: `dashboard_query_${i}`,
        expr: expr.replace(/\$__rate_interval|\$__interval/g, '5m'),
      }));
      const file = join(dir, 'queries.yml');
      writeFileSync(file, JSON.stringify({ groups: [{ name: 'dashboard', rules }] }));
      const check = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
      expect({ status: check.status, out: `${check.stdout}${check.stderr}` }).toMatchObject({ status: 0 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the Prometheus alert rules', () => {
  it('cover the pauses, the error ratio, stalled sending and Redis memory', () => {
    expect(alertRules.map((r) => r.alert)).toEqual(
      expect.arrayContaining([
        'SobotSystemPaused',
        'SobotCampaignBreakerTripped',
        'SobotErrorRatioHigh',
        'SobotNoSendsWhileDue',
        'SobotRedisMemoryHigh',
      ]),
    );
  });

  it("refer only to series /metrics serves (and Prometheus's own `up`)", () => {
    const unknown = alertRules.flatMap(({ alert, expr }) =>
      seriesNames(expr)
        .filter((n) => !served.has(n) && n !== 'up')
        .map((name) => ({ alert, name })),
    );
    expect(unknown).toEqual([]);
  });

  const promtool = (...args: string[]) => {
    const run = spawnSync('promtool', args, { cwd: ROOT, encoding: 'utf8' });
    return { status: run.status, out: `${run.stdout}${run.stderr}` };
  };

  (PROMTOOL ? it : it.skip)('pass promtool check rules and check config', () => {
    expect(promtool('check', 'rules', 'deploy/prometheus/alerts.yml')).toMatchObject({ status: 0 });
    // --syntax-only: the scrape's credentials file is written by compose when Prometheus starts.
    expect(promtool('check', 'config', '--syntax-only', 'deploy/prometheus/prometheus.yml')).toMatchObject({
      status: 0,
    });
  });

  (PROMTOOL ? it : it.skip)('pass their unit tests (promtool test rules)', () => {
    const run = promtool('test', 'rules', 'deploy/prometheus/alerts.test.yml');
    expect(run.out).toContain('SUCCESS');
    expect(run.status).toBe(0);
  });
});
