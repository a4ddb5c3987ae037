import * as tf from '@tensorflow/tfjs-core';
import type { GradSaveFunc, Tensor, Variable } from '@tensorflow/tfjs-core';

/** Options of `checkpoint`. */
export interface CheckpointOptions {
  /**
   * Trainable variables that `fn` reads from its closure (adapter weights of a layer, say). Their
   * gradients are computed in the recomputation; without listing them here they would get none.
   */
  params?: () => Variable[];
}

interface EngineInternals {
  state: { activeTape: unknown };
  gradients(f: () => Tensor, xs: Tensor[], dy?: Tensor, allowNoGradients?: boolean): { value: Tensor; grads: Array<Tensor | undefined> };
}

/**
 * Gradient checkpointing: `checkpoint(fn)(...inputs)` returns `fn(...inputs)` but keeps none of `fn`'s
 * intermediate tensors for the backward pass; the backward pass runs `fn` again under a fresh tape and
 * backpropagates through that recomputation. Gradients are identical to calling `fn` directly; peak
 * memory falls from "all activations of all layers" to "inputs of each checkpointed block + one block's
 * activations", at the cost of one extra forward per block.
 *
 * `fn` must be deterministic (draw dropout masks outside it, or from a seed fixed per call), return one
 * tensor, and list in `options.params` the variables it reads from its closure.
 */
export function checkpoint<Inputs extends Tensor[]>(
  fn: (...inputs: Inputs) => Tensor,
  options: CheckpointOptions = {},
): (...inputs: Inputs) => Tensor {
  return (...inputs: Inputs) => {
    const params = options.params?.() ?? [];
    const count = inputs.length;
    const wrapped = tf.customGrad((...args: Array<Tensor | GradSaveFunc>) => {
      const save = args[args.length - 1] as GradSaveFunc;
      const given = args.slice(0, count) as Tensor[];
      save(given);
      // The engine records no tape inside a custom op's forward; tidy frees every intermediate now.
      const value = tf.tidy(() => fn(...(given as Inputs)));
      const gradFunc = (dy: Tensor, saved: Tensor[]) => recompute(fn, saved as Inputs, params, dy);
      return { value, gradFunc };
    });
    return wrapped(...inputs, ...params);
  };
}

/** Runs `fn` again with the tape on and returns d(output·dy)/d(inputs, params), zeros where unused. */
function recompute<Inputs extends Tensor[]>(fn: (...inputs: Inputs) => Tensor, inputs: Inputs, params: Variable[], dy: Tensor): Tensor[] {
  const engine = tf.engine() as unknown as EngineInternals;
  // A nested gradient call replaces (and at the end clears) the engine's active tape, which the outer
  // backward pass still needs for its own clean-up: keep it aside and put it back.
  const outerTape = engine.state.activeTape;
  try {
    const xs = [...inputs, ...params];
    const { value, grads } = engine.gradients(() => fn(...inputs), xs, dy, true);
    value.dispose();
    return xs.map((x, i) => grads[i] ?? tf.zerosLike(x));
  } finally {
    engine.state.activeTape = outerTape;
  }
}
