export { startSendWorker, type SendWorker, type SendWorkerOptions } from './send-worker';
export { OutageBreaker } from './breaker';
