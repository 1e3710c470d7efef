export { startSendWorker, type SendWorker, type SendWorkerOptions } from './send-worker';
export { OutageBreaker } from './breaker';
export { troubleLog } from './trouble-log';
export { SENDER_POLICY, SenderPool, type SenderPolicy, type SenderSetup, type SenderLane } from './sender-pool';
