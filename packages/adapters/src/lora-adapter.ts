import * as tf from '@tensorflow/tfjs-core';
import type { BranchContext } from '@adalora/core';
import type { Tensor, Tensor2D, Variable } from '@tensorflow/tfjs-core';
import type { Adapter } from './adapter.js';
import { adapterDropout } from './dropout.js';
import { deriveSeed } from './seed.js';
import { checkShape, makeVariable } from './variables.js';

/** Explicit starting values of a LoRA adapter (A: r × d_in, B: d_out × r). The caller keeps ownership. */
export interface LoraAdapterValues {
  A: Tensor;
  B: Tensor;
}

/** Options of `createLoraAdapter`. */
export interface LoraAdapterOptions {
  /** Dotted name of the adapted layer; the variables are called `<module>.lora_{A,B}.<adapterName>.weight` (PEFT's names). */
  module: string;
  inFeatures: number;
  outFeatures: number;
  rank: number;
  alpha: number;
  dropout?: number;
  adapterName?: string;
  /** Seed of A's initial draw. */
  seed?: number;
  initial?: LoraAdapterValues;
}

/**
 * Plain LoRA (Hu et al. 2021), the baseline of AdaLoRA's tables, as a `LinearBranch`:
 *
 *     y = base(x) + dropout(x) · Aᵀ · Bᵀ · (alpha / r),     ΔW = B · A · alpha / r
 *
 * PEFT's default initialisation: B = 0 and A ~ U(−1/√d_in, 1/√d_in) (PyTorch's `kaiming_uniform_` with
 * a = √5, which PEFT uses), from a seeded generator. It shares the orthogonal regulariser and the whole
 * controller code path with the SVD form, without scores or masking.
 */
export interface LoraAdapter extends Adapter {
  readonly kind: 'lora';
  readonly alpha: number;
}

/** Builds a plain LoRA adapter with its two trainable variables (see `LoraAdapter`). */
export function createLoraAdapter(options: LoraAdapterOptions): LoraAdapter {
  const { module, inFeatures, outFeatures, rank, alpha } = options;
  const adapterName = options.adapterName ?? 'default';
  const dropout = options.dropout ?? 0;
  const seed = options.seed ?? 0;
  const scaling = alpha / rank;
  const names = { A: `${module}.lora_A.${adapterName}.weight`, B: `${module}.lora_B.${adapterName}.weight` };
  const shapes = { A: [rank, inFeatures], B: [outFeatures, rank] } as const;
  const initial = options.initial;
  if (initial !== undefined) {
    checkShape(initial.A, shapes.A, names.A);
    checkShape(initial.B, shapes.B, names.B);
  }
  const bound = 1 / Math.sqrt(inFeatures);
  const start = tf.tidy(() =>
    initial !== undefined
      ? { A: initial.A.clone(), B: initial.B.clone() }
      : {
          A: tf.randomUniform([...shapes.A], -bound, bound, 'float32', deriveSeed(seed, `${module}.lora_A`)),
          B: tf.zeros([...shapes.B]),
        },
  );
  const made: Variable[] = [];
  try {
    made.push(makeVariable(start.A, names.A), makeVariable(start.B, names.B));
  } catch (error) {
    for (const v of made) v.dispose();
    throw error;
  } finally {
    tf.dispose([start.A, start.B]);
  }
  const [A, B] = made as [Variable, Variable];

  return {
    kind: 'lora',
    module,
    inFeatures,
    outFeatures,
    rank,
    alpha,
    scaling,
    dropout,
    lora_A: A,
    lora_B: B,
    apply(input: Tensor, context: BranchContext): Tensor {
      return tf.tidy(() => {
        const lead = input.shape.slice(0, -1);
        const x = adapterDropout(tf.reshape(input, [-1, inFeatures]), dropout, context) as Tensor2D;
        const h = tf.matMul(x, A as Tensor2D, false, true);
        const out = tf.mul(tf.matMul(h, B as Tensor2D, false, true), scaling);
        return tf.reshape(out, [...lead, outFeatures]);
      });
    },
    trainableVariables: () => [A, B],
    deltaWeight(layout: 'out-in' | 'in-out' = 'out-in'): Tensor {
      return tf.tidy(() => {
        const delta = tf.mul(tf.matMul(B as Tensor2D, A as Tensor2D), scaling);
        return layout === 'out-in' ? delta : tf.transpose(delta);
      });
    },
    dispose() {
      tf.dispose([A, B]);
    },
  };
}
