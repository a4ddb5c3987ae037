import type { LinearBranch } from '@adalora/core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';

/** The two adapter kinds: AdaLoRA's SVD form `B·diag(E)·A` and plain LoRA `B·A`. */
export type AdapterKind = 'svd' | 'lora';

/**
 * What the controller, the orthogonal regulariser and the PEFT file code need from an adapter: its
 * factor matrices (`lora_A`: r × d_in, `lora_B`: d_out × r, and for the SVD form `lora_E`: r × 1), its
 * constant scaling, and its dense update `ΔW`. Both `SvdAdapter` and `LoraAdapter` implement it; as a
 * `LinearBranch` it plugs into any `AdaptableLinear`.
 */
export interface Adapter extends LinearBranch<Tensor> {
  readonly kind: AdapterKind;
  /** Dotted name of the adapted linear layer in its model. */
  readonly module: string;
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** Current number of rank-1 components (rows of A). */
  readonly rank: number;
  /** The constant factor `s` in `ΔW = B·(…)·A·s`. */
  readonly scaling: number;
  /** Dropout probability on the adapter's input. */
  readonly dropout: number;
  readonly lora_A: Variable;
  readonly lora_B: Variable;
  /** The adapter's variables (A, E, B or A, B), as trainable tfjs variables. */
  trainableVariables(): Variable[];
  /** The dense update `ΔW` (`d_out × d_in`), or its transpose for `'in-out'` (fan-in-fan-out) weights. */
  deltaWeight(layout?: 'out-in' | 'in-out'): Tensor;
  /** Frees the adapter's variables (their names become free again). */
  dispose(): void;
}
