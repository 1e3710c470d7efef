export { loadConfig, loadConfigOrExit, ConfigError } from './load';
export { redisEnv, logEnv, sendingEnv, sobotEnv, producerEnv, int, bool, list } from './env';
export { createLogger, REDACT_PATHS, type Logger } from './logger';
export { onShutdown } from './shutdown';
