export { freePort } from './free-port';
export { waitFor } from './wait-for';
export {
  startRedisServer,
  redisServerInstalled,
  RedisNotInstalledError,
  type RedisServer,
  type RedisServerOptions,
} from './redis-server';
