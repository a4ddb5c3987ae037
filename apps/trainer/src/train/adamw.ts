import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';

/** Options of `createAdamW` (defaults: PyTorch `torch.optim.AdamW` as the Hugging Face Trainer uses it). */
export interface AdamWOptions {
  beta1?: number;
  beta2?: number;
  epsilon?: number;
  weightDecay?: number;
  /** Which variables get weight decay; the HF Trainer exempts biases and LayerNorm weights. */
  decays?: (name: string) => boolean;
}

/** The moment estimates of one variable, for checkpoints. */
export interface AdamWSlot {
  m: Tensor;
  v: Tensor;
}

/**
 * AdamW with decoupled weight decay (Loshchilov & Hutter), exactly as `torch.optim.AdamW`:
 *
 *   p ← p · (1 − lr·λ)                       (decoupled decay, only where `decays(name)`)
 *   m ← β1·m + (1 − β1)·g,   v ← β2·v + (1 − β2)·g²
 *   p ← p − lr · (m / (1 − β1ᵗ)) / (√(v / (1 − β2ᵗ)) + ε)
 *
 * tfjs-core ships Adam but not AdamW, and adding L2 to the loss is not the same thing.
 */
export function createAdamW(options: AdamWOptions = {}) {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0;
  const decays = options.decays ?? (() => true);
  const slots = new Map<string, AdamWSlot>();
  let stepCount = 0;

  return {
    /** Number of updates applied so far (t in the formula). */
    get step() {
      return stepCount;
    },
    /** Applies one update with learning rate `lr` to every variable that has a gradient in `grads`. */
    apply(variables: Variable[], grads: Record<string, Tensor>, lr: number): void {
      stepCount++;
      const correction1 = 1 - beta1 ** stepCount;
      const correction2 = 1 - beta2 ** stepCount;
      for (const variable of variables) {
        const g = grads[variable.name];
        if (g === undefined) continue;
        const slot = slots.get(variable.name) ?? { m: tf.keep(tf.zerosLike(variable)), v: tf.keep(tf.zerosLike(variable)) };
        const next = tf.tidy(() => {
          const m = tf.add(tf.mul(slot.m, beta1), tf.mul(g, 1 - beta1));
          const v = tf.add(tf.mul(slot.v, beta2), tf.mul(tf.square(g), 1 - beta2));
          const decayed = weightDecay > 0 && decays(variable.name) ? tf.mul(variable, 1 - lr * weightDecay) : variable;
          const update = tf.div(tf.div(m, correction1), tf.add(tf.sqrt(tf.div(v, correction2)), epsilon));
          variable.assign(tf.sub(decayed, tf.mul(update, lr)));
          return { m: tf.keep(m), v: tf.keep(v) };
        });
        tf.dispose([slot.m, slot.v]);
        slots.set(variable.name, next);
      }
    },
    /** The optimizer state, for checkpoints (tensors stay owned by the optimizer). */
    state(): { step: number; slots: Map<string, AdamWSlot> } {
      return { step: stepCount, slots };
    },
    /** Restores a state saved with `state()` (the optimizer takes ownership of the tensors). */
    restore(state: { step: number; slots: Map<string, AdamWSlot> }): void {
      this.dispose();
      stepCount = state.step;
      for (const [name, slot] of state.slots) slots.set(name, slot);
    },
    /** Frees the moment estimates. */
    dispose(): void {
      for (const slot of slots.values()) tf.dispose([slot.m, slot.v]);
      slots.clear();
    },
  };
}

/** An AdamW optimizer. */
export type AdamW = ReturnType<typeof createAdamW>;

/** The Hugging Face Trainer's rule: no weight decay on biases and LayerNorm weights. */
export function hfDecayRule(name: string): boolean {
  return !/(^|[._])bias$|LayerNorm|layer_norm|layernorm/i.test(name);
}
