export { startSandbox, type Sandbox, type SandboxOptions } from './sandbox';
export { DEFAULT_FAULTS, type Faults } from './faults';
export { OUTCOMES, type Outcome, type Received, type SandboxStats, type StatsSummary } from './stats';
export { statusEvent, inboundEvent, flatInboundEvent, type WebhookStatus, type InboundMessage } from './events';
export { signature, type WebhookAnswer, type WebhookOptions } from './webhook';
export { UPSTREAM_CODES, UPSTREAM_ERRORS, upstreamAnswer, type ErrorShape, type UpstreamCode } from './upstream-errors';
export type { InboundRequest, InboundResult } from './inbound';
export { SAMPLE_JPEG, SAMPLE_PNG } from './images';
