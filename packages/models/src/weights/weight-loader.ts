import * as tf from '@tensorflow/tfjs-core';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import { UnsupportedInputError } from '@adalora/core';
import type { TensorEntry } from '@adalora/tensor';
import type { Norm } from '../nn/encoder-layer.js';
import { Linear } from '../nn/linear.js';
import { SeededRandom } from '../nn/random.js';

/** A checkpoint's tensors by name, as `readSafetensors` / `readTorchCheckpoint` of `@adalora/tensor` return them. */
export type StateDict = ReadonlyMap<string, TensorEntry>;

/** What a load found: tensors created fresh (task heads), missing and unused checkpoint tensors. */
export interface LoadReport {
  /** Head tensors absent from the checkpoint, initialised N(0, initializer_range) / zeros / ones. */
  readonly initialized: readonly string[];
  /** Checkpoint tensors the model does not use (pre-training heads, absolute positions of v3, ...), ignored. */
  readonly unexpected: readonly string[];
  /** Human-readable notes about the load (renamed legacy keys, prefix handling). */
  readonly notes: readonly string[];
}

/** How a parameter absent from a checkpoint (or in a random model) is initialised, as Hugging Face's `_init_weights`. */
export type Init = 'normal' | 'zeros' | 'ones';

/** Whether a missing parameter is an error (`backbone`) or a fresh head parameter to report (`head`). */
export type Role = 'backbone' | 'head';

/**
 * Hands a model builder its parameters by Hugging Face name, from a checkpoint or from a seeded random
 * initialisation, and records what was missing or unused.
 *
 * Builders ask for every tensor they need (`tensor`, `linear`); the loader checks each checkpoint shape,
 * converts to float32, and keeps track of names. `finish()` then fails with one error listing every
 * missing backbone tensor (disposing what was created), or returns the `LoadReport`.
 */
export class WeightLoader {
  private readonly random: SeededRandom;
  private readonly used = new Set<string>();
  private readonly missing: string[] = [];
  private readonly initialized: string[] = [];
  private readonly created: Tensor[] = [];

  /**
   * @param stateDict checkpoint tensors (already renamed to the model's names), or null for a random model
   * @param seed seed of the random initialisation (random models and fresh heads)
   * @param initializerRange standard deviation of `normal` initialisation
   * @param source where the checkpoint came from, for messages
   */
  constructor(
    private readonly stateDict: StateDict | null,
    seed: number,
    private readonly initializerRange: number,
    private readonly source: string,
    private readonly notes: string[] = [],
  ) {
    this.random = new SeededRandom(seed);
  }

  /** The raw float32 values of parameter `name` of `shape`, from the checkpoint or initialised. */
  private values(name: string, shape: readonly number[], init: Init, role: Role): Float32Array {
    const size = shape.reduce((a, b) => a * b, 1);
    const raw = this.stateDict?.get(name);
    if (raw !== undefined) {
      this.used.add(name);
      if (raw.shape.length !== shape.length || raw.shape.some((d, i) => d !== shape[i])) {
        throw new UnsupportedInputError({
          source: `${this.source}: tensor '${name}'`,
          expected: `shape [${shape.join(', ')}] (from the model config)`,
          found: `[${raw.shape.join(', ')}]`,
        });
      }
      return toFloat32(raw, `${this.source}: tensor '${name}'`);
    }
    if (this.stateDict !== null) {
      if (role === 'backbone') {
        this.missing.push(name);
        return new Float32Array(0);
      }
      this.initialized.push(name);
    }
    if (init === 'zeros') return new Float32Array(size);
    if (init === 'ones') return new Float32Array(size).fill(1);
    return this.random.normalArray(size, this.initializerRange);
  }

  /** True once a backbone tensor was missing: builders may skip work, `finish()` throws. */
  get failed(): boolean {
    return this.missing.length > 0;
  }

  /** A frozen tensor (or a trainable variable when `trainable`) named `name`. */
  tensor(name: string, shape: readonly number[], init: Init, role: Role, trainable = false): Tensor {
    const data = this.values(name, shape, init, role);
    const t = data.length === 0 && this.failed ? tf.zeros(shape as number[]) : tf.tensor(data, shape as number[], 'float32');
    const result = trainable ? tf.variable(t, true) : t;
    if (trainable) t.dispose();
    this.created.push(result);
    return result;
  }

  /**
   * The linear layer `name` (`name.weight` `[out, in]`, `name.bias` `[out]`), stored as an `[in, out]` kernel.
   * Heads are trainable variables; the backbone is frozen.
   */
  linear(name: string, inFeatures: number, outFeatures: number, options: { bias?: boolean; role: Role; trainable?: boolean }): Linear {
    const trainable = options.trainable ?? false;
    const weight = this.values(`${name}.weight`, [outFeatures, inFeatures], 'normal', options.role);
    let kernel: Tensor;
    if (weight.length === 0) {
      kernel = tf.zeros([inFeatures, outFeatures]);
    } else {
      kernel = tf.tidy(() => tf.transpose(tf.tensor2d(weight, [outFeatures, inFeatures])));
    }
    if (trainable) {
      const v = tf.variable(kernel, true);
      kernel.dispose();
      kernel = v;
    }
    this.created.push(kernel);
    const bias = options.bias === false ? null : this.tensor(`${name}.bias`, [outFeatures], 'zeros', options.role, trainable);
    return new Linear(name, inFeatures, outFeatures, kernel, bias, trainable);
  }

  /** LayerNorm parameters `name.weight` (ones) and `name.bias` (zeros). */
  norm(name: string, size: number, eps: number, role: Role = 'backbone'): Norm {
    return { weight: this.tensor(`${name}.weight`, [size], 'ones', role), bias: this.tensor(`${name}.bias`, [size], 'zeros', role), eps };
  }

  /** Disposes every tensor handed out (after a failed build). */
  abort(): void {
    for (const t of this.created) t.dispose();
  }

  /** Checks completeness: throws listing every missing backbone tensor, else reports fresh and unused tensors. */
  finish(): LoadReport {
    if (this.missing.length > 0) {
      throw new UnsupportedInputError({
        source: this.source,
        expected: `every backbone tensor of the model`,
        found: `${this.missing.length} missing: ${this.missing.join(', ')}`,
      });
    }
    const unexpected = this.stateDict === null ? [] : [...this.stateDict.keys()].filter((k) => !this.used.has(k)).sort();
    const notes = [...this.notes];
    if (this.initialized.length > 0) notes.push(`initialised ${this.initialized.length} head tensors absent from ${this.source}: ${this.initialized.join(', ')}`);
    if (unexpected.length > 0) {
      const prefixes = [...new Set(unexpected.map((k) => k.split('.').slice(0, 2).join('.')))];
      notes.push(`ignored ${unexpected.length} tensors of ${this.source} the model does not use (${prefixes.join(', ')})`);
    }
    return { initialized: [...this.initialized], unexpected, notes };
  }
}

/** A model parameter must be a float tensor (F32, F16/BF16 widened by the reader, or F64). */
function toFloat32(raw: TensorEntry, source: string): Float32Array {
  const { data } = raw;
  if (data instanceof Float32Array) return data;
  if (data instanceof Float64Array) return Float32Array.from(data);
  throw new UnsupportedInputError({ source, expected: 'a float tensor (F32, F16, BF16 or F64)', found: `dtype ${raw.dtype}` });
}
