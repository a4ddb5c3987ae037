import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '@adalora/tensor';
import type { TensorFlow } from '@adalora/tensor';
import type { Tensor, Variable } from '@tensorflow/tfjs-core';
import golden from './__fixtures__/orth_reg.json' with { type: 'json' };
import { orthogonalRegularization } from './orth-reg.js';
import type { OrthFactors } from './orth-reg.js';
import { expectClose } from './testing/close.js';

let tf: TensorFlow;
beforeAll(async () => {
  ({ tf } = await initBackend({ engine: 'cpu' }));
});

/** The three adapters' A and B of orth_reg.json as variables named like the fixture. */
function goldenFactors(): { factors: OrthFactors[]; variables: Variable[] } {
  const variables = golden.matrices.map((m) => tf.variable(tf.tensor2d(m.value), true, `orth-test.${m.name}`));
  const factors: OrthFactors[] = [];
  for (let i = 0; i < variables.length; i += 2) factors.push({ lora_A: variables[i]!, lora_B: variables[i + 1]! });
  return { factors, variables };
}

describe('orthogonal regulariser (spec d) against orth_reg.json', () => {
  for (const engine of ['cpu', 'wasm'] as const) {
    it(`code form γ·mean‖G − I‖_F: value and gradients match PEFT's forward (1e-5 relative, ${engine})`, async () => {
      await initBackend({ engine });
      const { factors, variables } = goldenFactors();
      const { value, grads } = tf.variableGrads(() => orthogonalRegularization(factors, { weight: golden.weight }), variables);
      expectClose(value.dataSync(), [golden.loss_code_form], { rtol: 1e-5, label: 'loss' });
      for (const m of golden.matrices) {
        const grad = grads[`orth-test.${m.name}`] as Tensor;
        // Gradients are O(0.01–0.1): a 1e-3 floor keeps the test relative for them.
        expectClose(grad.dataSync(), (golden.grad_code_form as Record<string, number[][]>)[m.name]!, { rtol: 1e-5, floor: 1e-3, label: m.name });
      }
      tf.dispose([value, ...Object.values(grads), ...variables]);
      await initBackend({ engine: 'cpu' });
    });
  }

  it('paper form γ·Σ‖G − I‖²_F: value and gradients match the reference', () => {
    const { factors, variables } = goldenFactors();
    const { value, grads } = tf.variableGrads(() => orthogonalRegularization(factors, { weight: golden.paper_form_gamma, form: 'paper' }), variables);
    expectClose(value.dataSync(), [golden.loss_paper_form], { rtol: 1e-5, label: 'loss' });
    for (const m of golden.matrices) {
      expectClose((grads[`orth-test.${m.name}`] as Tensor).dataSync(), (golden.grad_paper_form as Record<string, number[][]>)[m.name]!, {
        rtol: 1e-5,
        floor: 1e-2,
        label: m.name,
      });
    }
    tf.dispose([value, ...Object.values(grads), ...variables]);
  });

  it('each matrix contributes its own ‖G − I‖_F (per_matrix_fro_norm), with N = 2 · adapters', () => {
    const { factors, variables } = goldenFactors();
    golden.matrices.forEach((m, i) => {
      // One adapter whose B is an exact orthonormal column set contributes only its A term: 1·‖G(A) − I‖ / 2.
      if (m.kind !== 'A') return;
      const r = m.value.length;
      const orthonormalB = tf.eye(r);
      const value = orthogonalRegularization([{ lora_A: factors[i / 2]!.lora_A, lora_B: orthonormalB }], { weight: 1 });
      expectClose(value.dataSync(), [golden.per_matrix_fro_norm[i]! / 2], { rtol: 1e-5, label: m.name });
      tf.dispose([value, orthonormalB]);
    });
    tf.dispose(variables);
  });

  it('weight 0 gives the constant 0; a negative or non-finite weight is refused', () => {
    const { factors, variables } = goldenFactors();
    const zero = orthogonalRegularization(factors, { weight: 0 });
    expect(zero.dataSync()[0]).toBe(0);
    expect(() => orthogonalRegularization(factors, { weight: -0.1 })).toThrow(/Invalid config 'orthRegWeight' = -0\.1: must be a finite number ≥ 0/);
    expect(() => orthogonalRegularization(factors, { weight: Number.NaN })).toThrow(/orthRegWeight/);
    expect(() => orthogonalRegularization(factors, { weight: 1, form: 'squared' as never })).toThrow(/orthRegForm.*'code' or 'paper'/);
    tf.dispose([zero, ...variables]);
  });

  it('a rank-0 adapter adds 0 but counts in N (PEFT averages over every A and B)', () => {
    const { factors, variables } = goldenFactors();
    const empty = { lora_A: tf.zeros([0, 8]), lora_B: tf.zeros([6, 0]) };
    const three = orthogonalRegularization(factors, { weight: 1 });
    const four = orthogonalRegularization([...factors, empty], { weight: 1 });
    expectClose(four.dataSync(), [(three.dataSync()[0]! * 6) / 8], { rtol: 1e-6 });
    tf.dispose([three, four, empty.lora_A, empty.lora_B, ...variables]);
  });
});
