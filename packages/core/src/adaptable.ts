/**
 * The seam between a model and the adapters attached to it.
 *
 * A model (`@adalora/models`) exposes its linear layers by dotted name (e.g.
 * `encoder.layer.3.attention.self.query_proj`) through `AdaptableModel.linears()`; adapters
 * (`@adalora/adapters`) attach to them through `setBranch`. Neither package imports the other: both
 * depend on these types only. `T` is the tensor type (tfjs `Tensor`); core itself has no tensor engine.
 */

/** Per-call context a model passes to every branch of a forward pass. */
export interface BranchContext {
  /** Training mode: dropout on. */
  readonly training: boolean;
  /**
   * Seed for this call's dropout masks. The model derives it from its own per-call seed and the layer,
   * so a recomputation (gradient checkpointing) draws the same masks. Undefined: unseeded.
   */
  readonly dropoutSeed?: number;
}

/** An extra computation added to a linear layer's output: `y = x·Wᵀ + b + branch.apply(x)`. */
export interface LinearBranch<T> {
  /** Maps the layer input `[..., inFeatures]` to `[..., outFeatures]`. */
  apply(input: T, context: BranchContext): T;
  /** The variables `apply` reads, so a checkpointed block can compute their gradients on recompute. */
  trainableVariables(): T[];
}

/** A linear layer `y = x·Wᵀ + b` with a frozen weight that adapters can attach to. */
export interface AdaptableLinear<T> {
  readonly inFeatures: number;
  readonly outFeatures: number;
  /** How the base weight is stored: `'out-in'` (`[d_out, d_in]`, PyTorch `nn.Linear`) or `'in-out'` (GPT-2 `Conv1D`). */
  readonly weightLayout: 'out-in' | 'in-out';
  /** The frozen base weight, in `weightLayout`. The layer keeps ownership. */
  getWeight(): T;
  /** Replaces the base weight (adapter merge/unmerge); the layer takes ownership and disposes the old one. */
  setWeight(weight: T): void;
  /** Installs a branch (replacing any previous one), or removes it with `null`. */
  setBranch(branch: LinearBranch<T> | null): void;
}

/** A model whose linear layers adapters can attach to. */
export interface AdaptableModel<T> {
  /** Every linear layer by dotted name, in the model's parameter order. */
  linears(): ReadonlyMap<string, AdaptableLinear<T>>;
}
