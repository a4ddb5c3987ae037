export { describeScoreFunction } from './conformance.js';
export type { ConformanceOptions } from './conformance.js';
