import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import type { AdaptableLinear, BranchContext, LinearBranch } from '@adalora/core';
import { UnsupportedInputError } from '@adalora/core';

/**
 * A PyTorch-style linear layer `y = x·Wᵀ + b (+ branch(x))` that adapters can attach to.
 *
 * `W` is declared in PyTorch's `[out, in]` layout (`weightLayout: 'out-in'`, as in the checkpoint and
 * in PEFT), but is stored transposed as an `[in, out]` kernel so the forward product `x·kernel` needs no
 * transpose on any engine. Frozen layers hold plain tensors and are computed with `matMul` + `add`:
 * `tf.fused.matMul`'s gradient would also compute dW for a weight that never trains. Trainable layers
 * (task heads) hold `tf.Variable`s.
 */
export class Linear implements AdaptableLinear<Tensor> {
  readonly weightLayout = 'out-in' as const;
  private kernel: Tensor;
  private readonly bias: Tensor | null;
  private branch: LinearBranch<Tensor> | null = null;
  private weightView: Tensor | null = null;

  /**
   * @param name dotted Hugging Face module name (state-dict key without `.weight`)
   * @param kernel `[inFeatures, outFeatures]`; the layer takes ownership
   * @param bias `[outFeatures]` or null; the layer takes ownership
   */
  constructor(
    readonly name: string,
    readonly inFeatures: number,
    readonly outFeatures: number,
    kernel: Tensor,
    bias: Tensor | null,
    readonly trainable: boolean,
  ) {
    this.kernel = kernel;
    this.bias = bias;
  }

  /** `x·Wᵀ + b` plus the branch's output, for `x` of shape `[..., inFeatures]`. */
  apply(x: Tensor, context: BranchContext): Tensor {
    return tf.tidy(() => {
      const lead = x.shape.slice(0, -1);
      let y = tf.matMul(tf.reshape(x, [-1, this.inFeatures]), this.kernel);
      if (this.bias !== null) y = tf.add(y, this.bias);
      y = tf.reshape(y, [...lead, this.outFeatures]);
      if (this.branch !== null) y = tf.add(y, this.branch.apply(x, context));
      return y;
    });
  }

  /** The weight `[out, in]`; the layer keeps ownership (the tensor stays valid until the next `setWeight` or `dispose`). */
  getWeight(): Tensor {
    // A trainable kernel changes under the optimizer: rebuild the view on every call.
    if (this.trainable && this.weightView !== null) {
      this.weightView.dispose();
      this.weightView = null;
    }
    if (this.weightView === null) this.weightView = tf.keep(tf.transpose(this.kernel));
    return this.weightView;
  }

  /** Replaces the weight with `weight` (`[out, in]`); takes ownership of it and disposes the old weight. */
  setWeight(weight: Tensor): void {
    const [out, inF] = weight.shape;
    if (weight.rank !== 2 || out !== this.outFeatures || inF !== this.inFeatures) {
      throw new UnsupportedInputError({ source: `${this.name}.weight`, expected: `shape [${this.outFeatures}, ${this.inFeatures}]`, found: `[${weight.shape.join(', ')}]` });
    }
    const kernel = tf.keep(tf.transpose(weight));
    if (this.trainable) {
      (this.kernel as Variable).assign(kernel);
      kernel.dispose();
    } else {
      this.kernel.dispose();
      this.kernel = kernel;
    }
    if (this.weightView !== null && this.weightView !== weight) this.weightView.dispose();
    this.weightView = null;
    weight.dispose();
  }

  /** Installs (or with `null` removes) the branch added to the output. */
  setBranch(branch: LinearBranch<Tensor> | null): void {
    this.branch = branch;
  }

  /** The installed branch, if any. */
  getBranch(): LinearBranch<Tensor> | null {
    return this.branch;
  }

  /** The branch's trainable variables (for gradient checkpointing of the block that calls this layer). */
  branchVariables(): Variable[] {
    return (this.branch?.trainableVariables() ?? []) as Variable[];
  }

  /** The layer's own variables when it is trainable (`kernel` `[in, out]`, then `bias`), else none. */
  variables(): Variable[] {
    if (!this.trainable) return [];
    return [this.kernel as Variable, ...(this.bias === null ? [] : [this.bias as Variable])];
  }

  /** Frees the weight, the bias and any cached weight view (not the branch: adapters own it). */
  dispose(): void {
    this.kernel.dispose();
    this.bias?.dispose();
    this.weightView?.dispose();
    this.weightView = null;
  }
}
