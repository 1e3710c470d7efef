// Jest globalTeardown: stops the shared redis-servers global-setup.js started and removes their directories.
const { rmSync } = require('node:fs');

module.exports = async function globalTeardown() {
  const servers = globalThis.__sobotTestRedis ?? [];
  await Promise.all(
    servers.map(
      (s) =>
        new Promise((resolve) => {
          if (s.child.exitCode !== null || s.child.signalCode !== null) return resolve();
          // Unref'd at start (so the servers never hold jest open): ref'd again, or jest would exit here,
          // before it sets its exit code.
          s.child.ref();
          s.child.once('exit', resolve);
          s.child.kill('SIGTERM');
        }),
    ),
  );
  for (const s of servers) rmSync(s.dir, { recursive: true, force: true });
  delete process.env.SOBOT_TEST_REDIS_URLS;
};
