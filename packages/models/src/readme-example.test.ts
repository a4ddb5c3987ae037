import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';

// The example of README.md, run as written (imports adjusted to the source tree).
it('README example: load, run, list the linears, dispose', async () => {
  const { initBackend } = await import('@adalora/tensor');
  const { loadPretrained } = await import('./index.js');
  const lines: string[] = [];
  const log = (...args: unknown[]) => lines.push(args.map(String).join(' '));

  // --- example start ---
  await initBackend({ engine: 'wasm' });
  const model = await loadPretrained('tiny-deberta-v3', { task: 'sequence-classification', numLabels: 2 });
  const { logits, lastHiddenState, pooledOutput } = model.forward({
    inputIds: [[1, 20, 99, 39, 2, 0]],
    attentionMask: [[1, 1, 1, 1, 1, 0]],
  });
  log(logits.shape); // 1,2
  log([...model.linears().keys()].slice(0, 3).join(' ')); // deberta.encoder.layer.0.attention.self.query_proj ...
  log(model.trainableVariables().length); // 4: pooler.dense and classifier, weight and bias
  tf.dispose([logits, lastHiddenState, pooledOutput]);
  model.dispose();
  // --- example end ---

  expect(lines).toEqual([
    '1,2',
    'deberta.encoder.layer.0.attention.self.query_proj deberta.encoder.layer.0.attention.self.key_proj deberta.encoder.layer.0.attention.self.value_proj',
    '4',
  ]);
});
