import '@tensorflow/tfjs-backend-cpu';
import { InvalidConfigError } from '@adalora/core';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import trajectory from './__fixtures__/trajectory_scores.json' with { type: 'json' };
import type { ParamRole } from './score-function.js';
import { sensitivity } from './sensitivity.js';
import type { SensitivityState } from './sensitivity.js';
import { expectClose, flat, take, tensorOf } from './test-support.js';
import type { Nested } from './test-support.js';
import { tripletScores } from './triplet-scores.js';

const roles: ParamRole[] = ['A', 'E', 'B'];
const modules = trajectory.config.modules.map((m) => m.name);
const paramName = (module: string, role: ParamRole) => `${module}.lora_${role}.default`;

interface Recorded {
  ipt: Record<string, Float32Array>;
  unc: Record<string, Float32Array>;
  triplets: Record<string, Float32Array>;
  liveTensors: number;
}
const recorded: Recorded[] = [];

beforeAll(async () => {
  await tf.setBackend('cpu');
  // Replays the golden inputs through sensitivity(): w = post-SGD parameters, g = gradients, t = 0…14.
  const scorer = sensitivity({ beta1: trajectory.config.beta1, beta2: trajectory.config.beta2 });
  const first = trajectory.steps[0]?.params_after_sgd as Record<string, Nested>;
  const states = new Map<string, SensitivityState>();
  for (const module of modules) {
    for (const role of roles) {
      const param = tensorOf(first[paramName(module, role)] as Nested);
      states.set(paramName(module, role), scorer.init(param, role));
      param.dispose();
    }
  }
  for (const step of trajectory.steps) {
    const record: Recorded = { ipt: {}, unc: {}, triplets: {}, liveTensors: 0 };
    for (const [name, state] of states) {
      const w = tensorOf((step.params_after_sgd as Record<string, Nested>)[name] as Nested);
      const g = tensorOf((step.grads as Record<string, Nested>)[name] as Nested);
      const next = scorer.update(state, w, g);
      states.set(name, next);
      tf.dispose([w, g]);
      record.ipt[name] = Float32Array.from(next.ipt.dataSync());
      record.unc[name] = Float32Array.from(next.unc.dataSync());
    }
    for (const module of modules) {
      const [sA, sE, sB] = roles.map((role) => scorer.score(states.get(paramName(module, role)) as SensitivityState));
      record.triplets[module] = tripletScores(sA as tf.Tensor, sE as tf.Tensor, sB as tf.Tensor);
      tf.dispose([sA as tf.Tensor, sE as tf.Tensor, sB as tf.Tensor]);
    }
    record.liveTensors = tf.memory().numTensors;
    recorded.push(record);
  }
  for (const state of states.values()) scorer.dispose(state);
});

describe('sensitivity() against PEFT/loralib update_ipt on trajectory_synthetic.json (t = 0…14, 9 parameters)', () => {
  it('reproduces the sensitivity EMA Ī (exp_avg_ipt) to 1e-6 relative at every step', () => {
    trajectory.steps.forEach((step, t) => {
      for (const [name, golden] of Object.entries(step.exp_avg_ipt)) {
        expectClose(recorded[t]?.ipt[name] as Float32Array, flat(golden), `t=${t} Ī ${name}`);
      }
    });
  });

  it('reproduces the uncertainty EMA Ū (exp_avg_unc) to 1e-6 relative at every step', () => {
    trajectory.steps.forEach((step, t) => {
      for (const [name, golden] of Object.entries(step.exp_avg_unc)) {
        expectClose(recorded[t]?.unc[name] as Float32Array, flat(golden), `t=${t} Ū ${name}`);
      }
    });
  });

  it('reproduces the triplet scores S = s(E) + mean s(A) + mean s(B) at every masking step (t = 4, 6, …, 14)', () => {
    const maskSteps = trajectory.steps.filter((step) => step.triplet_scores !== null);
    expect(maskSteps.map((s) => s.t)).toEqual([4, 6, 8, 10, 12, 14]);
    for (const step of maskSteps) {
      for (const module of modules) {
        const golden = (step.triplet_scores as Record<string, number[]>)[paramName(module, 'E')] as number[];
        expectClose(recorded[step.t]?.triplets[module] as Float32Array, golden, `t=${step.t} S ${module}`);
      }
    }
  });

  it('keeps the live-tensor count constant from step to step (update + score + tripletScores)', () => {
    const counts = recorded.map((r) => r.liveTensors);
    expect(counts).toEqual(counts.map(() => counts[0]));
  });
});

describe('sensitivity() by hand', () => {
  it('one step from zero: Ī = 0.15·|wg|, Ū = 0.15·|I − Ī| = 0.1275·|wg|, s = Ī·Ū', () => {
    const scorer = sensitivity();
    const w = tf.tensor1d([2, -1]);
    const g = tf.tensor1d([3, 0.5]);
    const state = scorer.update(scorer.init(w), w, g);
    // |wg| = [6, 0.5] → Ī = [0.9, 0.075], Ū = [0.765, 0.06375], s = [0.6885, 0.00478125]
    expectClose(take(scorer.score(state)), [0.6885, 0.00478125], 's');
    expectClose(take(sensitivity({ uncertainty: false }).score(state)), [0.9, 0.075], 'Ī alone');
    scorer.dispose(state);
    tf.dispose([w, g]);
  });

  it('rejects β outside (0, 1) and unknown options, naming the field', () => {
    expect(() => sensitivity({ beta1: 1 })).toThrow(/'sensitivity.beta1' = 1: must be a number in the open interval \(0, 1\)/);
    expect(() => sensitivity({ beta2: 0 })).toThrow(InvalidConfigError);
    expect(() => sensitivity({ beta: 0.9 } as never)).toThrow(/'sensitivity.beta' = 0.9: unknown option; sensitivity takes beta1, beta2, uncertainty/);
  });

  it('rejects a gradient of another shape instead of broadcasting (E as [r, 1] with a gradient [r])', () => {
    const scorer = sensitivity();
    const e = tf.zeros([3, 1]);
    const g = tf.zeros([3]);
    const state = scorer.init(e, 'E');
    expect(() => scorer.update(state, e, g)).toThrow(/sensitivity.update: grad: expected shape \[3, 1\] \(the shape the state was initialised with\), found \[3\]/);
    scorer.dispose(state);
    tf.dispose([e, g]);
  });
});
