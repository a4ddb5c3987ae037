export { accuracy, binaryF1, matthewsCorrelation } from './classification-metrics.js';
export { averageRanks, pearson, spearman } from './correlation.js';
export { combinedScore, glueMetric, glueMetricKeys, isGlueMetricConfig } from './glue-metric.js';
export type { GlueMetricConfig, GlueMetricKey, GlueMetricResult } from './glue-metric.js';
export {
  adaloraConvention,
  bertPaperConvention,
  glueConventions,
  glueLeaderboardConvention,
  glueSummary,
  loraPaperConvention,
} from './glue-summary.js';
export type { GlueConvention, GlueSummary, GlueSummaryColumn, GlueSummaryTask } from './glue-summary.js';
export { answerTokens, normalizeAnswer, pythonSplit } from './squad-normalize.js';
export { squadV1ExactMatch, squadV1F1, squadV1Metric, squadV1Scores } from './squad-v1-metric.js';
export type { SquadPredictions, SquadReference, SquadV1Result } from './squad-v1-metric.js';
export {
  findBestThreshold,
  squadV2Exact,
  squadV2F1,
  squadV2GoldAnswers,
  squadV2Metric,
  squadV2RawScores,
} from './squad-v2-metric.js';
export type { SquadV2Options, SquadV2Result } from './squad-v2-metric.js';
export { defaultWarningSink } from './warnings.js';
export type { DataWarning, WarningSink } from './warnings.js';
export { firstInvalidUtf8, readByteLines, tabFields } from './byte-lines.js';
export type { ByteLine } from './byte-lines.js';
export { codePointIndex, codePointLength } from './code-points.js';
export type { CodePointIndex } from './code-points.js';
export { checkGlueSplit, glueConfig, glueConfigs } from './glue-configs.js';
export type { GlueConfigName, GlueConfigSpec, GlueExample } from './glue-configs.js';
export { loadGlueTsv, readGlueTsv } from './glue-tsv.js';
export type { GlueTsvOptions } from './glue-tsv.js';
export { GLUE_HUB_REPO, loadGlueParquet, readGlueParquet } from './glue-parquet.js';
export type { GlueParquetOptions } from './glue-parquet.js';
export { hubShardPath, hubSplitFiles } from './hub-layout.js';
export { parquetFileInfo, readParquetRows } from './parquet-rows.js';
export type { ParquetFileInfo } from './parquet-rows.js';
export { createAnswerChecker } from './squad-examples.js';
export type { SquadExample } from './squad-examples.js';
export { loadSquadJson, squadRowsFromJson } from './squad-json.js';
export type { SquadJsonOptions } from './squad-json.js';
export { SQUAD_HUB, loadSquadParquet, readSquadParquet } from './squad-parquet.js';
export type { SquadParquetOptions } from './squad-parquet.js';
export { SYNTH_SPLITS, seededRandom, synthGlueRows, synthSquadJson } from './synthetic.js';
export type { SquadJsonDocument, SynthGlueTask, SynthOptions } from './synthetic.js';
export { SQUAD_FILES, tasks } from './tasks.js';
export type { OfficialFile, TaskId, TaskKind, TaskMetric, TaskSource, TaskSpec } from './tasks.js';
export { loadTaskSplit } from './task-data.js';
export type { TaskData, TaskDataSource } from './task-data.js';
export type { Encoding, TokenizedText, TokenizerAdapter } from './tokenizer.js';
export { applyTemplate, checkMaxLength, encodeText, longestFirstLengths, onlySecondWindows, padEncodings, specialTokenCount } from './encode.js';
export type { PaddedBatch, Padding } from './encode.js';
export { featurizeClassification } from './classification-features.js';
export type { ClassificationBatch, ClassificationFeatureOptions } from './classification-features.js';
export { collateQa, featurizeQa, qaQuestionText } from './qa-features.js';
export type { QaBatch, QaFeature, QaFeatureOptions } from './qa-features.js';
export { postprocessQa } from './qa-postprocess.js';
export type { QaCandidate, QaPostprocessOptions, QaPredictions } from './qa-postprocess.js';
export { DataDownloadError, dataCacheDir, fetchOfficialFile, sha256File } from './official-download.js';
export type { OfficialDownloadOptions } from './official-download.js';
export { fetchGlueParquet, fetchHubSplit, fetchSquadParquet } from './hub-data.js';
export type { BatchTokenizer } from './tokenizer.js';
export { featurizeClassificationAsync, featurizeQaAsync, pretokenize } from './pretokenize.js';
