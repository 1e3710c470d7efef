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
export { createLogger, maskDigits, maskPhoneNumbers, REDACT_PATHS, type Logger } from './logger';
export { onShutdown } from './shutdown';
