export { startSendWorker, type SendWorker, type SendWorkerOptions } from './send-worker';
export { OutageBreaker } from './breaker';
export { troubleLog } from './trouble-log';
