export { initBackend, engineIds } from './engine/init-backend.js';
export type { BackendInfo, Engine, EngineRequest, TensorFlow } from './engine/init-backend.js';
export { EngineUnavailableError } from './engine/errors.js';
export { checkpoint } from './checkpoint.js';
export type { CheckpointOptions } from './checkpoint.js';
export { readSafetensors } from './files/read-safetensors.js';
export { writeSafetensors } from './files/write-safetensors.js';
export { maxSafetensorsHeaderBytes } from './files/safetensors-header.js';
export type { ReadTensorsOptions, TensorData, TensorEntry, TensorFile, TensorFileDType } from './files/tensor-file.js';
