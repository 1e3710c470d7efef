export { startSandbox, type Sandbox, type SandboxOptions } from './sandbox';
export { DEFAULT_FAULTS, type Faults } from './faults';
export { OUTCOMES, type Outcome, type Received, type SandboxStats, type StatsSummary } from './stats';
export { statusEvent, type WebhookOptions, type WebhookStatus } from './webhook';
export { SAMPLE_JPEG, SAMPLE_PNG } from './images';
