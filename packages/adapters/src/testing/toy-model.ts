import * as tf from '@tensorflow/tfjs-core';
import type { AdaptableLinear, AdaptableModel, BranchContext, LinearBranch } from '@adalora/core';
import type { Tensor, Tensor2D } from '@tensorflow/tfjs-core';

/** One layer of the toy network used by the tests. */
export interface ToyLayerSpec {
  name: string;
  dIn: number;
  dOut: number;
  /** Base weight in `layout` (`[d_out, d_in]` for 'out-in'); seeded random when absent. */
  weight?: number[][];
  bias?: number[];
}

/** A linear layer `y = x·Wᵀ + b + branch(x)` that owns its weight, as a model package would implement it. */
export class ToyLinear implements AdaptableLinear<Tensor> {
  readonly inFeatures: number;
  readonly outFeatures: number;
  readonly weightLayout: 'out-in' | 'in-out';
  private weight: Tensor;
  readonly bias: Tensor;
  branch: LinearBranch<Tensor> | null = null;

  constructor(spec: ToyLayerSpec, layout: 'out-in' | 'in-out', seed: number) {
    this.inFeatures = spec.dIn;
    this.outFeatures = spec.dOut;
    this.weightLayout = layout;
    const shape: [number, number] = layout === 'out-in' ? [spec.dOut, spec.dIn] : [spec.dIn, spec.dOut];
    this.weight = spec.weight !== undefined ? tf.tensor2d(spec.weight) : tf.randomNormal(shape, 0, 0.3, 'float32', seed);
    this.bias = spec.bias !== undefined ? tf.tensor1d(spec.bias) : tf.zeros([spec.dOut]);
  }

  getWeight(): Tensor {
    return this.weight;
  }

  setWeight(weight: Tensor): void {
    if (weight !== this.weight) this.weight.dispose();
    this.weight = weight;
  }

  setBranch(branch: LinearBranch<Tensor> | null): void {
    this.branch = branch;
  }

  forward(x: Tensor, context: BranchContext): Tensor {
    return tf.tidy(() => {
      const base = tf.add(tf.matMul(x as Tensor2D, this.weight as Tensor2D, false, this.weightLayout === 'out-in'), this.bias);
      return this.branch === null ? base : tf.add(base, this.branch.apply(x, context));
    });
  }

  dispose(): void {
    tf.dispose([this.weight, this.bias]);
  }
}

/** A stack of `ToyLinear`s with `tanh` between them (not after the last), exposing the layers by name. */
export class ToyModel implements AdaptableModel<Tensor> {
  readonly layers: Map<string, ToyLinear>;

  constructor(specs: readonly ToyLayerSpec[], options: { layout?: 'out-in' | 'in-out'; seed?: number } = {}) {
    const layout = options.layout ?? 'out-in';
    this.layers = new Map(specs.map((spec, i) => [spec.name, new ToyLinear(spec, layout, (options.seed ?? 7) + i)]));
  }

  linears(): ReadonlyMap<string, AdaptableLinear<Tensor>> {
    return this.layers;
  }

  forward(x: Tensor, context: BranchContext = { training: false }): Tensor {
    return tf.tidy(() => {
      let h = x;
      const layers = [...this.layers.values()];
      layers.forEach((layer, i) => {
        h = layer.forward(h, context);
        if (i < layers.length - 1) h = tf.tanh(h);
      });
      return h;
    });
  }

  dispose(): void {
    for (const layer of this.layers.values()) layer.dispose();
  }
}

/** The 3-module toy net of the golden trajectories: `layers.{0,1,2}.proj`, 8→6, 6→12, 12→4. */
export const goldenToySpecs: ToyLayerSpec[] = [
  { name: 'layers.0.proj', dIn: 8, dOut: 6 },
  { name: 'layers.1.proj', dIn: 6, dOut: 12 },
  { name: 'layers.2.proj', dIn: 12, dOut: 4 },
];
