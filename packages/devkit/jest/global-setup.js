// Jest globalSetup (plain CommonJS: it runs before any transform). Starts one redis-server per jest worker, shared
// by the test files that worker runs one after another; each file still gets a key prefix of its own
// (startTestRedis). Their URLs go to the workers in SOBOT_TEST_REDIS_URLS; global-teardown.js stops them.
// Nothing is started under `pnpm test:unit` (SOBOT_TEST_UNIT=1) or when REDIS_URL names a Redis to use.
const { spawn, spawnSync } = require('node:child_process');
const { mkdtempSync } = require('node:fs');
const { createServer, connect } = require('node:net');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function ping(port) {
  return new Promise((resolve) => {
    const sock = connect(port, '127.0.0.1');
    sock.setTimeout(500);
    sock.once('connect', () => sock.write('PING\r\n'));
    sock.once('data', (d) => {
      sock.destroy();
      resolve(d.toString().startsWith('+PONG'));
    });
    sock.once('error', () => resolve(false));
    sock.once('timeout', () => {
      sock.destroy();
      resolve(false);
    });
  });
}

async function startOne() {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sobot-jest-redis-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--dir', dir, '--save', '', '--appendonly', 'no'];
  const child = spawn('redis-server', [...args, '--maxmemory-policy', 'noeviction'], { stdio: 'ignore' });
  child.unref();
  const deadline = Date.now() + 15_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null) throw new Error(`redis-server exited with code ${child.exitCode}`);
    if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer within 15 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, dir, url: `redis://127.0.0.1:${port}` };
}

module.exports = async function globalSetup(globalConfig) {
  if (process.env.SOBOT_TEST_UNIT === '1' || process.env.REDIS_URL) return;
  if (spawnSync('redis-server', ['--version'], { stdio: 'ignore' }).status !== 0) return; // startTestRedis says why
  const count = Math.max(1, Number(globalConfig.maxWorkers) || 1);
  const servers = await Promise.all(Array.from({ length: count }, startOne));
  globalThis.__sobotTestRedis = servers;
  process.env.SOBOT_TEST_REDIS_URLS = servers.map((s) => s.url).join(',');
  // Killed with jest even when it is interrupted before the teardown runs.
  const kill = () => servers.forEach((s) => s.child.kill('SIGKILL'));
  process.once('exit', kill);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => {
      kill();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  }
};
