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
export { loadTokenizer } from './tokenizers/load-tokenizer.js';
export type { LoadTokenizerOptions, TokenizerFamily } from './tokenizers/load-tokenizer.js';
export { HfTokenizer } from './tokenizers/tokenizer.js';
export type { BatchEncoding, EncodeOptions, Encoding, PaddingStrategy, TextInput, Tokenizer } from './tokenizers/tokenizer.js';
export { longestFirstLengths, strideWindows } from './tokenizers/truncation.js';
export type { TokenRange, TruncationStrategy } from './tokenizers/truncation.js';
export { readSentencePieceModel } from './tokenizers/sentencepiece-model.js';
export type { PieceType, SentencePieceModel } from './tokenizers/sentencepiece-model.js';
export { debertaV2TokenizerJson } from './tokenizers/spm-to-tokenizer-json.js';
export type { DebertaV2ConversionOptions, TokenizerJson } from './tokenizers/spm-to-tokenizer-json.js';
export { parseTokenizerConfig } from './tokenizers/tokenizer-config.js';
export type { SpecialTokens, TokenizerConfig } from './tokenizers/tokenizer-config.js';
export { featurizationAdapter, templateKind } from './tokenizers/featurization-adapter.js';
export type { FeaturizationTokenizer, TokenizedText } from './tokenizers/featurization-adapter.js';
export type { TemplatePart } from './tokenizers/tokenizer.js';
export { questionAnsweringLoss, sequenceClassificationLoss } from './losses.js';
export type { LabelInput } from './losses.js';
