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
