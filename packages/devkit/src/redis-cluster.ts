import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from './redis-server';
import { waitFor } from './wait-for';

export interface TestCluster {
  /** Comma-separated seed nodes, as REDIS_URL takes them with REDIS_CLUSTER=true. */
  url: string;
  nodes: RedisServer[];
  close(): Promise<void>;
}

/** A real 3-master Redis Cluster on loopback (redis-server --cluster-enabled yes ×3 + redis-cli --cluster create). */
export async function startTestCluster(masters = 3): Promise<TestCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'sobot-cluster-'));
  const nodes: RedisServer[] = [];
  for (let i = 0; i < masters; i += 1) {
    nodes.push(
      await startRedisServer({
        dir: join(dir, `n${i}`),
        appendonly: false,
        args: [
          '--cluster-enabled',
          'yes',
          '--cluster-config-file',
          join(dir, `n${i}`, 'nodes.conf'),
          '--cluster-node-timeout',
          '5000',
        ],
      }),
    );
  }
  const addrs = nodes.map((n) => `127.0.0.1:${n.port}`);
  const created = spawnSync(
    'redis-cli',
    ['--cluster', 'create', ...addrs, '--cluster-replicas', '0', '--cluster-yes'],
    { encoding: 'utf8' },
  );
  if (created.status !== 0) throw new Error(`redis-cli --cluster create failed: ${created.stdout}${created.stderr}`);
  await waitFor(
    () =>
      nodes.every((n) =>
        spawnSync('redis-cli', ['-p', String(n.port), 'cluster', 'info'], { encoding: 'utf8' }).stdout.includes(
          'cluster_state:ok',
        ),
      ),
    { timeoutMs: 30_000, intervalMs: 200, what: 'cluster_state:ok on every node' },
  );
  return {
    url: addrs.map((a) => `redis://${a}`).join(','),
    nodes,
    async close() {
      await Promise.all(nodes.map((n) => n.stop()));
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
