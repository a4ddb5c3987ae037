import { UnsupportedInputError } from '@adalora/core';
import { encodeText, padEncodings } from './encode.js';
import type { PaddedBatch, Padding } from './encode.js';
import type { GlueExample } from './glue-configs.js';
import type { TaskSpec } from './tasks.js';
import type { TokenizerAdapter } from './tokenizer.js';

/** A padded classification/regression batch: inputs plus `labels` (class ids as int32, or float32 scores). */
export interface ClassificationBatch extends PaddedBatch {
  readonly labels: Int32Array | Float32Array;
  /** Each row's `idx`, to map predictions back to examples. */
  readonly idx: Int32Array;
}

/** Options of `featurizeClassification`. */
export interface ClassificationFeatureOptions {
  readonly tokenizer: TokenizerAdapter;
  /** The task: which columns are text A (and B), and whether labels are regression scores. */
  readonly task: Pick<TaskSpec, 'textColumns' | 'kind'>;
  readonly maxLength: number;
  /** `'max_length'` (run_glue's default) or `'longest'` in the batch. Default `'max_length'`. */
  readonly padding?: Padding;
  readonly padToMultipleOf?: number;
}

/**
 * Turns GLUE-format rows into one padded batch the way `run_glue.py` preprocesses them: text A (and B) from
 * the task's columns, `longest_first` truncation to `maxLength` with the fast tokenizer's split rule,
 * right padding; labels as stored (class ids in HF order, −1 on test splits; float32 scores for regression).
 */
export function featurizeClassification(rows: readonly GlueExample[], options: ClassificationFeatureOptions): ClassificationBatch {
  const { tokenizer, task, maxLength, padding = 'max_length' } = options;
  const [columnA, columnB] = task.textColumns;
  if (columnA === undefined) throw new UnsupportedInputError({ source: 'task', expected: 'at least one text column', found: 'none' });
  const text = (row: GlueExample, column: string): string => {
    const value = row[column];
    if (typeof value !== 'string') {
      throw new UnsupportedInputError({ source: `example idx ${row.idx} column '${column}'`, expected: 'a string', found: value === undefined ? 'nothing' : String(value) });
    }
    return value;
  };
  const encodings = rows.map((row) => encodeText(tokenizer, text(row, columnA), columnB === undefined ? null : text(row, columnB), { maxLength }));
  const batch = padEncodings(encodings, tokenizer.specialTokens.pad, {
    padding,
    maxLength,
    ...(options.padToMultipleOf === undefined ? {} : { padToMultipleOf: options.padToMultipleOf }),
  });
  const labels = task.kind === 'regression' ? Float32Array.from(rows, (r) => r.label) : Int32Array.from(rows, (r) => r.label);
  if (task.kind !== 'regression') {
    rows.forEach((r) => {
      if (!Number.isInteger(r.label)) throw new UnsupportedInputError({ source: `example idx ${r.idx} label`, expected: 'an integer class id', found: String(r.label) });
    });
  }
  return { ...batch, labels, idx: Int32Array.from(rows, (r) => r.idx) };
}
