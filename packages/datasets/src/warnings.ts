/**
 * A non-fatal problem found in input data: something the official code tolerates (and this package
 * reproduces) but a user should know about, e.g. a QQP row with missing fields that the official loader
 * drops, or a reference question that has no prediction.
 */
export interface DataWarning {
  /** Machine-readable kind. */
  readonly code:
    | 'dropped-row'
    | 'missing-prediction'
    | 'unknown-prediction'
    | 'answer-start-mismatch'
    | 'version-mismatch'
    | 'extra-fields'
    | 'idx-differs';
  /** Where: a file path, `file:line`, or `predictions`. */
  readonly source: string;
  /** A sentence naming what was found and what happened to it. */
  readonly message: string;
  /** Ids concerned (question ids, row idx values), when there are any. */
  readonly ids?: readonly string[];
}

/** Receives warnings; pass one to collect them (tests, the trainer's run log) instead of printing. */
export type WarningSink = (warning: DataWarning) => void;

/** The default sink: prints `warning: <source>: <message>` with `console.warn`. */
export const defaultWarningSink: WarningSink = (warning) => {
  console.warn(`warning: ${warning.source}: ${warning.message}`);
};
