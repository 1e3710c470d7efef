export { loadConfig, loadConfigOrExit, ConfigError } from './load';
export {
  redisEnv,
  logEnv,
  sendingEnv,
  sobotEnv,
  producerEnv,
  quietHoursEnv,
  audienceEnv,
  int,
  bool,
  list,
} from './env';
export {
  createLogger,
  logDestination,
  maskDigits,
  maskPhoneNumbers,
  REDACT_PATHS,
  type Logger,
  type LogFormat,
} from './logger';
export { onShutdown } from './shutdown';
