export { initBackend, engineIds } from './engine/init-backend.js';
export type { BackendInfo, Engine, EngineRequest, TensorFlow } from './engine/init-backend.js';
export { EngineUnavailableError } from './engine/errors.js';
export { checkpoint } from './checkpoint.js';
export type { CheckpointOptions } from './checkpoint.js';
