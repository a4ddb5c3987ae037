import type { Tensor } from '@tensorflow/tfjs-core';

/**
 * Which factor of the SVD-shaped adapter `ΔW = B · diag(E) · A` a parameter is: `A` (r × d_in),
 * `E` (r, or r × 1 as PEFT stores it) or `B` (d_out × r). Passed as the second argument of
 * `ScoreFunction.init`; only scores that treat the factors differently (`magnitude`) need it.
 */
export type ParamRole = 'A' | 'E' | 'B';

/**
 * An importance-score function: turns the history of one adapter parameter's values and gradients
 * into an elementwise importance `s(w)`, one number per entry. AdaLoRA aggregates these into triplet
 * scores with `tripletScores` and prunes the lowest-scoring triplets.
 *
 * Contract (checked by `describeScoreFunction` from `@adalora/scores/testing`):
 * - `init(param, role?)` returns the zero state for a parameter of `param`'s shape (it may read
 *   `param`, never keeps or disposes it). The controller passes `role`.
 * - `update(state, value, grad)` is called once per optimizer step with the post-step value and the
 *   gradient that produced the step; it returns the new state and disposes the tensors of the state it
 *   replaces, never `value` or `grad`. The number of live tensors is the same before and after.
 * - `score(state)` returns a new float32 tensor of the parameter's shape, owned by the caller.
 * - `dispose(state)` releases every tensor the state holds.
 * - Deterministic, and finite for zero and very large gradients.
 *
 * `State` is opaque to the caller. `specificationVersion` lets the interface evolve without breaking
 * implementations written against this one.
 */
export interface ScoreFunction<State> {
  /** The id the scorer is registered and logged under, e.g. `'sensitivity'`. */
  readonly id: string;
  readonly specificationVersion: 'v1';
  init(param: Tensor, role?: ParamRole): State;
  update(state: State, value: Tensor, grad: Tensor): State;
  score(state: State): Tensor;
  dispose(state: State): void;
}

/**
 * What a registry of score functions holds: a factory taking the scorer's options (all optional), so a
 * caller can resolve an id from the command line and still pass hyper-parameters. Factories validate
 * the options at run time (unknown keys and out-of-range values throw `InvalidConfigError`).
 */
export type ScoreFunctionFactory = (options?: Record<string, unknown>) => ScoreFunction<unknown>;
