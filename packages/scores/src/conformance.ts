import * as tf from '@tensorflow/tfjs-core';
import type { Tensor } from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ParamRole, ScoreFunction } from './score-function.js';
import { tripletScores } from './triplet-scores.js';

/** Options of `describeScoreFunction`. */
export interface ConformanceOptions {
  /** Rank `r` of the test adapter. Default 4. */
  readonly rank?: number;
  /** Input width `d_in` (A is r × d_in). Default 6. */
  readonly dIn?: number;
  /** Output width `d_out` (B is d_out × r). Default 5. */
  readonly dOut?: number;
  /** Optimizer steps each check runs. Default 6. */
  readonly steps?: number;
  /** Scale of the "huge gradient" check: gradients are N(0, 1) · this. Default 1e15. */
  readonly hugeGradient?: number;
  /** Seed of the random values and gradients. Default 7. */
  readonly seed?: number;
}

/**
 * Registers, with vitest's `describe`/`it`, the conformance suite of the `ScoreFunction` v1 contract
 * for `scorer`: call it at the top level of a test file. A tfjs backend must be registered first
 * (e.g. `import '@tensorflow/tfjs-backend-cpu'`); the suite waits for `tf.ready()`.
 *
 * For each factor (A `[r, d_in]`, E `[r, 1]` and `[r]`, B `[d_out, r]`, passed to `init` with its role)
 * it checks: the zero state scores finite; after several updates `score` is a float32 tensor of the
 * parameter's shape with finite entries; the triplet scores are `r` finite numbers; results are
 * bit-identical for identical inputs; each step (update + score + dispose) leaves the live-tensor
 * count unchanged; `dispose(state)` frees everything the state holds; `value` and `grad` are neither
 * disposed nor modified; zero gradients and gradients of size `hugeGradient` give finite scores; and a
 * gradient of the wrong shape is rejected instead of broadcast.
 */
export function describeScoreFunction(scorer: ScoreFunction<unknown>, options: ConformanceOptions = {}): void {
  const { rank = 4, dIn = 6, dOut = 5, steps = 6, hugeGradient = 1e15, seed = 7 } = options;
  const factors: Array<[label: string, role: ParamRole, shape: number[]]> = [
    [`A [${rank}, ${dIn}]`, 'A', [rank, dIn]],
    [`E [${rank}, 1]`, 'E', [rank, 1]],
    [`E [${rank}]`, 'E', [rank]],
    [`B [${dOut}, ${rank}]`, 'B', [dOut, rank]],
  ];

  /** Deterministic (value, grad) pairs for `steps` steps; the caller disposes them. */
  const inputs = (shape: number[], gradScale: number, offset = 0): Array<[Tensor, Tensor]> =>
    Array.from({ length: steps }, (_, t) => [
      tf.randomNormal(shape, 0, 1, 'float32', seed + 1000 * offset + t),
      gradScale === 0 ? tf.zeros(shape) : tf.tidy(() => tf.mul(tf.randomNormal(shape, 0, 1, 'float32', seed + 1000 * offset + 500 + t), gradScale)),
    ]);

  /** Runs all steps from a fresh state; returns the final score's values (state and score disposed). */
  const run = (role: ParamRole, shape: number[], gradScale: number): Float32Array => {
    const pairs = inputs(shape, gradScale);
    const param = pairs[0]?.[0] as Tensor;
    let state = scorer.init(param, role);
    for (const [value, grad] of pairs) state = scorer.update(state, value, grad);
    const score = scorer.score(state);
    try {
      expect(score.shape, `score shape for ${role}`).toEqual(shape);
      expect(score.dtype, `score dtype for ${role}`).toBe('float32');
      return Float32Array.from(score.dataSync());
    } finally {
      score.dispose();
      scorer.dispose(state);
      tf.dispose(pairs.flat());
    }
  };

  const expectFinite = (values: ArrayLike<number>, what: string): void => {
    const bad = Array.from(values).findIndex((x) => !Number.isFinite(x));
    expect(bad, `${what}: entry ${bad} is ${values[bad]}`).toBe(-1);
  };

  describe(`score function '${scorer.id}' conforms to ScoreFunction v1`, () => {
    beforeAll(async () => {
      await tf.ready();
    });

    it('has a non-empty id and specificationVersion "v1"', () => {
      expect(typeof scorer.id === 'string' && scorer.id.length > 0).toBe(true);
      expect(scorer.specificationVersion).toBe('v1');
    });

    for (const [label, role, shape] of factors) {
      it(`${label}: the zero state scores a finite float32 tensor of the parameter's shape`, () => {
        const param = tf.randomNormal(shape, 0, 1, 'float32', seed);
        const state = scorer.init(param, role);
        const score = scorer.score(state);
        expect(score.shape).toEqual(shape);
        expect(score.dtype).toBe('float32');
        expectFinite(score.dataSync(), `zero-state score of ${label}`);
        score.dispose();
        scorer.dispose(state);
        param.dispose();
      });

      it(`${label}: after ${steps} updates the score has the parameter's shape and is finite`, () => {
        expectFinite(run(role, shape, 1), `score of ${label}`);
      });

      it(`${label}: identical inputs from a fresh state give bit-identical scores`, () => {
        expect(run(role, shape, 1)).toEqual(run(role, shape, 1));
      });

      it(`${label}: all-zero gradients give finite scores`, () => {
        expectFinite(run(role, shape, 0), `score of ${label} with zero gradients`);
      });

      it(`${label}: gradients of size ${hugeGradient} give finite scores`, () => {
        expectFinite(run(role, shape, hugeGradient), `score of ${label} with huge gradients`);
      });
    }

    it('the triplet scores of the A, E, B scores are r finite numbers (E as [r, 1] and as [r])', () => {
      const scoresOf = (role: ParamRole, shape: number[]): Tensor => {
        const pairs = inputs(shape, 1, 1);
        let state = scorer.init(pairs[0]?.[0] as Tensor, role);
        for (const [value, grad] of pairs) state = scorer.update(state, value, grad);
        const score = scorer.score(state);
        scorer.dispose(state);
        tf.dispose(pairs.flat());
        return score;
      };
      const [sA, sE, sE1, sB] = [scoresOf('A', [rank, dIn]), scoresOf('E', [rank, 1]), scoresOf('E', [rank]), scoresOf('B', [dOut, rank])] as Tensor[];
      const column = tripletScores(sA as Tensor, sE as Tensor, sB as Tensor);
      const flat = tripletScores(sA as Tensor, sE1 as Tensor, sB as Tensor);
      expect(column).toHaveLength(rank);
      expectFinite(column, 'triplet scores');
      expect(flat).toEqual(column);
      tf.dispose([sA as Tensor, sE as Tensor, sE1 as Tensor, sB as Tensor]);
    });

    it('each step (update + score + dispose of the score) leaves the live-tensor count unchanged', () => {
      for (const [label, role, shape] of factors) {
        const pairs = inputs(shape, 1);
        let state = scorer.init(pairs[0]?.[0] as Tensor, role);
        const counts: number[] = [];
        for (const [value, grad] of pairs) {
          state = scorer.update(state, value, grad);
          scorer.score(state).dispose();
          counts.push(tf.memory().numTensors);
        }
        expect(counts, `live tensors after each step, ${label}`).toEqual(counts.map(() => counts[0]));
        scorer.dispose(state);
        tf.dispose(pairs.flat());
      }
    });

    it('dispose(state) releases every tensor the state holds, including after updates', () => {
      for (const [label, role, shape] of factors) {
        const pairs = inputs(shape, 1);
        const before = tf.memory().numTensors;
        let state = scorer.init(pairs[0]?.[0] as Tensor, role);
        for (const [value, grad] of pairs) state = scorer.update(state, value, grad);
        scorer.dispose(state);
        expect(tf.memory().numTensors, `live tensors after dispose, ${label}`).toBe(before);
        tf.dispose(pairs.flat());
      }
    });

    it('neither disposes nor modifies the parameter, value and gradient it is given', () => {
      for (const [label, role, shape] of factors) {
        const [[value, grad] = []] = inputs(shape, 1);
        const param = tf.randomNormal(shape, 0, 1, 'float32', seed + 3);
        const copies = [param, value, grad].map((t) => Float32Array.from((t as Tensor).dataSync()));
        let state = scorer.init(param, role);
        state = scorer.update(state, value as Tensor, grad as Tensor);
        scorer.score(state).dispose();
        scorer.dispose(state);
        [param, value, grad].forEach((t, i) => {
          expect((t as Tensor).isDisposed, `input ${i} of ${label} disposed`).toBe(false);
          expect((t as Tensor).dataSync(), `input ${i} of ${label} modified`).toEqual(copies[i]);
        });
        tf.dispose([param, value as Tensor, grad as Tensor]);
      }
    });

    it('rejects a gradient or value whose shape differs from the parameter (no silent broadcasting)', () => {
      const param = tf.randomNormal([rank, 1], 0, 1, 'float32', seed);
      const wrong = tf.randomNormal([rank], 0, 1, 'float32', seed + 1);
      const state = scorer.init(param, 'E');
      expect(() => scorer.update(state, param, wrong)).toThrow();
      expect(() => scorer.update(state, wrong, param)).toThrow();
      scorer.dispose(state);
      tf.dispose([param, wrong]);
    });
  });
}
