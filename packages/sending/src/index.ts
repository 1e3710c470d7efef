export { startSendWorker, LOCK_SETTINGS, type SendWorker, type SendWorkerOptions } from './send-worker';
export { OutageBreaker } from './breaker';
export { roundBackoffMs } from './round-backoff';
export { RETRIES_PER_ROUND } from './deliver';
