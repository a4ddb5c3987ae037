import * as tf from '@tensorflow/tfjs-core';
import { UnsupportedInputError } from '@adalora/core';
import type { BranchContext } from '@adalora/core';
import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { Adapter } from './adapter.js';
import { adapterDropout } from './dropout.js';
import { deriveSeed } from './seed.js';
import { checkShape, makeVariable } from './variables.js';

/** Explicit starting values of an SVD adapter (A: r × d_in, E: r × 1, B: d_out × r). The caller keeps ownership. */
export interface SvdAdapterValues {
  A: Tensor;
  E: Tensor;
  B: Tensor;
}

/** Options of `createSvdAdapter`. */
export interface SvdAdapterOptions {
  /** Dotted name of the adapted layer; the variables are called `<module>.lora_{A,E,B}.<adapterName>`. */
  module: string;
  inFeatures: number;
  outFeatures: number;
  /** Number of triplets this adapter has now. */
  rank: number;
  /**
   * The rank the run started with (PEFT's `ranknum`): the scaling is `alpha / (initRank + 1e-5)` and stays
   * so after masking or resizing. Defaults to `rank`.
   */
  initRank?: number;
  /** Scaling numerator (`lora_alpha`). */
  alpha: number;
  /** Dropout probability on the adapter input (default 0). */
  dropout?: number;
  /** PEFT adapter name, the last part of the variable names (default `'default'`). */
  adapterName?: string;
  /** Seed of the N(0, 0.02²) draws of A and B; each matrix gets its own stream derived from it and its name. */
  seed?: number;
  /** Start from these values instead of the default initialisation. */
  initial?: SvdAdapterValues;
}

/**
 * AdaLoRA's SVD-form adapter (spec a), a `LinearBranch` that adds to a frozen linear layer
 *
 *     y = base(x) + dropout(x) · (A ⊙ E)ᵀ · Bᵀ · s,     s = alpha / (initRank + 1e-5)
 *
 * (`A ⊙ E` scales row i of A by E[i]), i.e. the dense update `ΔW = B · diag(E) · A · s`. The `1e-5` and
 * the fixed `initRank` reproduce PEFT and loralib exactly: masking or resizing never changes `s`.
 * Default initialisation (PEFT's): E = 0 and A, B ~ N(0, 0.02²) from seeded generators, so ΔW = 0 at
 * step 0 and only E gets a task gradient on the first step.
 */
export interface SvdAdapter extends Adapter {
  readonly kind: 'svd';
  readonly lora_E: Variable;
  /** The rank whose `alpha / (initRank + 1e-5)` is the scaling. */
  readonly initRank: number;
  readonly alpha: number;
  /** Copies of the kept triplets' rows of A and E and columns of B (PEFT's save-time truncation); caller owns them. */
  sliceTriplets(keep: readonly boolean[]): SvdAdapterValues;
}

/** AdaLoRA's scaling `alpha / (initRank + 1e-5)` (PEFT: `lora_alpha / (ranknum + 1e-5)`). */
export function svdScaling(alpha: number, initRank: number): number {
  return alpha / (initRank + 1e-5);
}

/** Standard deviation of PEFT's default normal initialisation of A and B. */
export const SVD_INIT_STD = 0.02;

/** Builds an SVD-form adapter with its three trainable variables (see `SvdAdapter`). */
export function createSvdAdapter(options: SvdAdapterOptions): SvdAdapter {
  const { module, inFeatures, outFeatures, rank, alpha } = options;
  const initRank = options.initRank ?? rank;
  const adapterName = options.adapterName ?? 'default';
  const dropout = options.dropout ?? 0;
  const seed = options.seed ?? 0;
  const scaling = svdScaling(alpha, initRank);
  const names = {
    A: `${module}.lora_A.${adapterName}`,
    E: `${module}.lora_E.${adapterName}`,
    B: `${module}.lora_B.${adapterName}`,
  };
  const shapes = { A: [rank, inFeatures], E: [rank, 1], B: [outFeatures, rank] } as const;
  const initial = options.initial;
  if (initial !== undefined) {
    checkShape(initial.A, shapes.A, names.A);
    checkShape(initial.E, shapes.E, names.E);
    checkShape(initial.B, shapes.B, names.B);
  }
  const start = tf.tidy(() =>
    initial !== undefined
      ? { A: initial.A.clone(), E: initial.E.clone(), B: initial.B.clone() }
      : {
          A: tf.randomNormal([...shapes.A], 0, SVD_INIT_STD, 'float32', deriveSeed(seed, `${module}.lora_A`)),
          E: tf.zeros([...shapes.E]),
          B: tf.randomNormal([...shapes.B], 0, SVD_INIT_STD, 'float32', deriveSeed(seed, `${module}.lora_B`)),
        },
  );
  const made: Variable[] = [];
  try {
    made.push(makeVariable(start.A, names.A), makeVariable(start.E, names.E), makeVariable(start.B, names.B));
  } catch (error) {
    for (const v of made) v.dispose();
    throw error;
  } finally {
    tf.dispose([start.A, start.E, start.B]);
  }
  const [A, E, B] = made as [Variable, Variable, Variable];

  return {
    kind: 'svd',
    module,
    inFeatures,
    outFeatures,
    rank,
    initRank,
    alpha,
    scaling,
    dropout,
    lora_A: A,
    lora_E: E,
    lora_B: B,
    apply(input: Tensor, context: BranchContext): Tensor {
      return tf.tidy(() => {
        const lead = input.shape.slice(0, -1);
        if (rank === 0) return tf.zeros([...lead, outFeatures]);
        const x = adapterDropout(tf.reshape(input, [-1, inFeatures]), dropout, context) as Tensor2D;
        const scaledA = tf.mul(A, E) as Tensor2D; // row i of A times E[i]
        const h = tf.matMul(x, scaledA, false, true); // [N, r]
        const out = tf.mul(tf.matMul(h, B as Tensor2D, false, true), scaling); // [N, d_out]
        return tf.reshape(out, [...lead, outFeatures]);
      });
    },
    trainableVariables: () => [A, E, B],
    deltaWeight(layout: 'out-in' | 'in-out' = 'out-in'): Tensor {
      return tf.tidy(() => {
        if (rank === 0) return tf.zeros(layout === 'out-in' ? [outFeatures, inFeatures] : [inFeatures, outFeatures]);
        const delta = tf.mul(tf.matMul(B as Tensor2D, tf.mul(A, E) as Tensor2D), scaling);
        return layout === 'out-in' ? delta : tf.transpose(delta);
      });
    },
    sliceTriplets(keep: readonly boolean[]): SvdAdapterValues {
      if (keep.length !== rank) {
        throw new UnsupportedInputError({ source: names.E, expected: `a keep-list of ${rank} flags (one per triplet)`, found: `${keep.length}` });
      }
      const indices = keep.flatMap((k, i) => (k ? [i] : []));
      return tf.tidy(() => {
        if (indices.length === rank) return { A: A.clone(), E: E.clone(), B: B.clone() };
        if (indices.length === 0) {
          return { A: tf.zeros([0, inFeatures]), E: tf.zeros([0, 1]), B: tf.zeros([outFeatures, 0]) };
        }
        const idx = tf.tensor1d(indices, 'int32');
        return { A: tf.gather(A, idx, 0), E: tf.gather(E, idx, 0), B: tf.gather(B, idx, 1) };
      });
    },
    dispose() {
      tf.dispose([A, E, B]);
    },
  };
}
