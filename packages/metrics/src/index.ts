export { createMetrics, pauseCause, type Metrics, type PauseCause } from './metrics';
