export { freePort } from './free-port';
export { waitFor, settled, staysAt } from './wait-for';
export {
  startRedisServer,
  redisServerInstalled,
  RedisNotInstalledError,
  type RedisServer,
  type RedisServerOptions,
} from './redis-server';
export { spawnApp, waitForHttp, REPO_ROOT, type AppProcess, type AppName } from './processes';
export { startTestRedis, type TestRedis, type TestRedisOptions } from './test-redis';
export { assertMayStartProcesses } from './unit-guard';
export { startStack, type Stack, type StackOptions } from './stack';
export { startSystem, json, type System, type SystemOptions, type CampaignState, type ReportLine } from './system';
export { startTestCluster, type TestCluster } from './redis-cluster';
export { zipOf, workbookParts, deflateRepeated, type ZipPart, type Deflated } from './zip';
export { ChaosRunError, runChaos, type ChaosOptions, type ChaosResult } from './chaos';
export {
  busiestSecond,
  chaosChecks,
  chaosFigures,
  checksTable,
  type Arrival,
  type ChaosCheck,
  type ChaosFigures,
  type ChaosInput,
  type ChaosKill,
  type Reported,
} from './chaos-checks';
export { seeded, type Seeded } from './seeded';
