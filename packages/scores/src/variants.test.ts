import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import trajectory from './__fixtures__/trajectory_scores.json' with { type: 'json' };
import variants from './__fixtures__/variant_scores.json' with { type: 'json' };
import { fisher } from './fisher.js';
import { gsnr } from './gsnr.js';
import { magnitude } from './magnitude.js';
import { movement } from './movement.js';
import type { ParamRole, ScoreFunction } from './score-function.js';
import { sensitivity } from './sensitivity.js';
import { expectClose, flat, tensorOf } from './test-support.js';
import type { Nested } from './test-support.js';
import { tripletScores } from './triplet-scores.js';

// variant_scores.json: alternative scores on the inputs of trajectory_synthetic.json, peft steps 0–7
// (w = post-SGD parameters, g = gradients), β1 = β2 = 0.85, EMAs from zero without bias correction.
const roles: ParamRole[] = ['A', 'E', 'B'];
const modules = variants.config.modules.map((m) => m.name);
const paramName = (module: string, role: ParamRole) => `${module}.lora_${role}.default`;
type Row = { t: number; element_scores: Record<string, Record<string, Nested>>; triplet_scores: Record<string, Record<string, Nested>> };
const rows = variants.rows as Row[];

/** Runs a scorer over steps 0–7; per step, element scores by parameter and triplet scores by module. */
function replay(scorer: ScoreFunction<unknown>) {
  const states = new Map<string, unknown>();
  const first = trajectory.steps[0]?.params_after_sgd as Record<string, Nested>;
  for (const module of modules) {
    for (const role of roles) {
      const param = tensorOf(first[paramName(module, role)] as Nested);
      states.set(paramName(module, role), scorer.init(param, role));
      param.dispose();
    }
  }
  const out = rows.map((row) => {
    const step = trajectory.steps[row.t] as { params_after_sgd: Record<string, Nested>; grads: Record<string, Nested> };
    const elements: Record<string, Float32Array> = {};
    const triplets: Record<string, Float32Array> = {};
    for (const [name, state] of states) {
      const w = tensorOf(step.params_after_sgd[name] as Nested);
      const g = tensorOf(step.grads[name] as Nested);
      states.set(name, scorer.update(state, w, g));
      tf.dispose([w, g]);
    }
    for (const module of modules) {
      const scores = roles.map((role) => scorer.score(states.get(paramName(module, role))));
      roles.forEach((role, i) => {
        elements[paramName(module, role)] = Float32Array.from((scores[i] as tf.Tensor).dataSync());
      });
      triplets[module] = tripletScores(...(scores as [tf.Tensor, tf.Tensor, tf.Tensor]));
      tf.dispose(scores);
    }
    return { elements, triplets, liveTensors: tf.memory().numTensors };
  });
  for (const state of states.values()) scorer.dispose(state);
  return out;
}

function present(value: Nested | undefined, what: string): Nested {
  if (value === undefined) throw new Error(`variant_scores.json has no ${what}`);
  return value;
}
const golden = (t: number, name: string, kind: string) => flat(present(rows[t]?.element_scores[name]?.[kind], `element ${kind} for ${name} at t=${t}`));
const goldenTriplet = (t: number, module: string, kind: string) =>
  flat(present(rows[t]?.triplet_scores[paramName(module, 'E')]?.[kind], `triplet ${kind} for ${module} at t=${t}`));

beforeAll(async () => {
  await tf.setBackend('cpu');
  expect(rows.map((r) => r.t)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

describe.each([
  // [label, scorer, element kind, triplet kind]; the scales are explained in test-support.ts
  ['sensitivity({ uncertainty: false }): Ī alone (paper ablation s = I)', () => sensitivity({ uncertainty: false }), 'sensitivity_ema', 'sensitivity_ema'],
  ['movement(): EMA of −w·g', () => movement(), 'movement_ema', 'movement_ema'],
  ['fisher(): EMA of g²', () => fisher(), 'fisher_ema', 'fisher_ema'],
  ['gsnr(): m² / (max(v − m², 0) + 1e-12)', () => gsnr(), 'gsnr_ema', 'gsnr_ema'],
  // The golden file has element scores |w| but no triplet aggregate of them.
  ['magnitude({ onlyE: false }): |w| everywhere', () => magnitude({ onlyE: false }), 'magnitude', null],
  ['magnitude(): |E_i| only (paper ablation S_i = |λ_i|)', () => magnitude(), null, 'magnitude_E_only'],
] as const)('%s, variant_scores.json steps 0–7', (_label, make, elementKind, tripletKind) => {
  const results = (() => {
    let cached: ReturnType<typeof replay> | undefined;
    return () => (cached ??= replay(make() as ScoreFunction<unknown>));
  })();

  if (elementKind !== null) {
    it('element scores match to 1e-6', () => {
      results().forEach((r, t) => {
        for (const [name, ours] of Object.entries(r.elements)) {
          expectClose(ours, golden(t, name, elementKind), `t=${t} ${elementKind} ${name}`, elementScale(elementKind, t, name));
        }
      });
    });
  }

  if (tripletKind !== null) {
    it('triplet scores match to 1e-6', () => {
      results().forEach((r, t) => {
        for (const module of modules) {
          const scale = tripletKind === 'movement_ema' ? goldenTriplet(t, module, 'sensitivity_ema') : undefined;
          expectClose(r.triplets[module] as Float32Array, goldenTriplet(t, module, tripletKind), `t=${t} ${tripletKind} ${module}`, scale);
        }
      });
    });
  }

  it('leaves the live-tensor count constant from step to step', () => {
    const counts = results().map((r) => r.liveTensors);
    expect(counts).toEqual(counts.map(() => counts[0]));
  });
});

/**
 * The scale of the terms behind a signed or cancelling value (see expectClose):
 * - movement: an EMA of signed −w·g; its rounding error is relative to the EMA of |w·g|, which is the
 *   golden `sensitivity_ema` of the same entry.
 * - gsnr: m = EMA(g) is a cancelling sum, so its relative error is ~ε·EMA(|g|)/|m|, and
 *   s = m²/(v − m²) amplifies a relative error of m by 2(1 + s). Scale: |s|·(1 + |s|)·EMA(|g|)/|m|, with
 *   m and EMA(|g|) computed here in float64 from the golden gradients.
 */
function elementScale(kind: string, t: number, name: string): number[] | undefined {
  if (kind === 'movement_ema') return golden(t, name, 'sensitivity_ema');
  if (kind !== 'gsnr_ema') return undefined;
  const s = golden(t, name, 'gsnr_ema');
  const m = s.map(() => 0);
  const absMean = s.map(() => 0);
  for (let k = 0; k <= t; k++) {
    const g = flat((trajectory.steps[k]?.grads as Record<string, Nested>)[name] as Nested);
    g.forEach((x, i) => {
      m[i] = 0.85 * (m[i] as number) + 0.15 * x;
      absMean[i] = 0.85 * (absMean[i] as number) + 0.15 * Math.abs(x);
    });
  }
  return s.map((x, i) => Math.abs(x) * (1 + Math.abs(x)) * ((absMean[i] as number) / Math.abs(m[i] as number)));
}
