// Public API of @adalora/models: explicit named exports only.
export { buildModel, EncoderModel, tasks } from './model.js';
export type {
  BaseOutput,
  BuildOptions,
  EncoderOutput,
  Family,
  ForwardOptions,
  ModelSpec,
  OutputFor,
  QuestionAnsweringOutput,
  SequenceClassificationOutput,
  Task,
} from './model.js';
export type { IdsInput, ModelInputs } from './inputs.js';
export { parseModelConfig, supportedModelTypes } from './config/model-config.js';
export { parseDebertaV2Config } from './config/deberta-config.js';
export type { DebertaV2Config } from './config/deberta-config.js';
export { parseBertConfig } from './config/bert-config.js';
export type { BertConfig } from './config/bert-config.js';
export type { ProblemType, RawConfig } from './config/config-fields.js';
export { Linear } from './nn/linear.js';
export { logBucketPosition } from './deberta/relative-position.js';
export type { LoadReport, StateDict } from './weights/weight-loader.js';
export { loadPretrained, loadFromDirectory, randomModel, weightFiles, tokenizerFiles } from './load-pretrained.js';
export type { LoadPretrainedOptions, ModelOrigin, PretrainedModel, RandomModelOptions } from './load-pretrained.js';
export { modelZoo } from './zoo.js';
export type { ZooEntry, ZooName } from './zoo.js';
