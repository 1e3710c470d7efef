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
export {
  loadSenders,
  loadSendersOrExit,
  Credentials,
  SendersConfigError,
  DEFAULT_SENDER_RATE,
  DEFAULT_PORTFOLIO,
  type SenderConfig,
  type PortfolioConfig,
  type SendersConfig,
} from './senders';
