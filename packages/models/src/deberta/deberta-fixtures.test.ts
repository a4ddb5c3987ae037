import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@adalora/tensor';
import { describe, expect, it } from 'vitest';
import { fixtureCheckpoint, fixtureExpected, fixtureInputs, maxDiff, maxDiffValidRows, rows } from '../__fixtures__/fixtures.js';
import { buildModel } from '../model.js';

// Golden outputs of transformers v4.40.2 (float32, eval mode) for the tiny DeBERTa-v3 checkpoints in
// src/__fixtures__/deberta-v3-tiny (see its README). Padded rows are compared nowhere (they differ
// between transformers versions); tolerance 1e-4 absolute.
const tol = 1e-4;
const inputs = fixtureInputs('deberta-v3-tiny');
const expected = fixtureExpected('deberta-v3-tiny');
const mask = inputs.attention_mask!.data;
const modelInputs = { inputIds: rows(inputs.input_ids!), attentionMask: rows(inputs.attention_mask!) };

describe.each(['cpu', 'wasm'] as const)('DeBERTa-v3 tiny fixtures on %s', (engine) => {
  it('base: embedding output, every hidden state, layer-0 attentions, last hidden state', async () => {
    await initBackend({ engine });
    const { spec, stateDict } = await fixtureCheckpoint('deberta-v3-tiny/base');
    const model = buildModel(spec, { task: 'base', stateDict, source: 'deberta-v3-tiny/base' });
    const out = model.forward(modelInputs, { outputHiddenStates: true, outputAttentions: true });
    expect(maxDiffValidRows(out.lastHiddenState.dataSync(), expected.last_hidden_state!, mask)).toBeLessThan(tol);
    expect(maxDiffValidRows(out.hiddenStates![0]!.dataSync(), expected.embedding_output!, mask)).toBeLessThan(tol);
    const stacked = tf.stack(out.hiddenStates!);
    expect(maxDiffValidRows(stacked.dataSync(), expected.hidden_states!, mask, { leading: 1 })).toBeLessThan(tol);
    // attentions [B, nh, L, L]: compare the rows of real query tokens.
    const att = out.attentions![0]!;
    const [b, nh, l] = att.shape as [number, number, number, number];
    const a = att.dataSync();
    let worst = 0;
    for (let i = 0; i < b; i++) for (let h = 0; h < nh; h++) for (let q = 0; q < l; q++) {
      if (mask[i * l + q] !== 1) continue;
      for (let k = 0; k < l; k++) {
        const idx = ((i * nh + h) * l + q) * l + k;
        worst = Math.max(worst, Math.abs((a[idx] as number) - (expected.attentions_layer0!.data[idx] as number)));
      }
    }
    expect(worst).toBeLessThan(tol);
    expect(model.loadReport.unexpected).toEqual([]);
    tf.dispose([stacked, ...out.hiddenStates!, ...out.attentions!, out.lastHiddenState]);
    model.dispose();
  });

  it('sequence classification: pooled output and logits', async () => {
    await initBackend({ engine });
    const { spec, stateDict } = await fixtureCheckpoint('deberta-v3-tiny/seqcls');
    const model = buildModel(spec, { task: 'sequence-classification', stateDict });
    expect(model.numLabels).toBe(3);
    const out = model.forward(modelInputs);
    expect(maxDiffValidRows(out.lastHiddenState.dataSync(), expected.last_hidden_state!, mask)).toBeLessThan(tol);
    expect(maxDiff(out.pooledOutput.dataSync(), expected.seqcls_pooled!)).toBeLessThan(tol);
    expect(out.logits.shape).toEqual([2, 3]);
    expect(maxDiff(out.logits.dataSync(), expected.seqcls_logits!)).toBeLessThan(tol);
    expect(model.loadReport.initialized).toEqual([]);
    tf.dispose([out.lastHiddenState, out.logits, out.pooledOutput]);
    model.dispose();
  });

  it('regression (numLabels 1)', async () => {
    await initBackend({ engine });
    const { spec, stateDict } = await fixtureCheckpoint('deberta-v3-tiny/regression');
    const model = buildModel(spec, { task: 'sequence-classification', stateDict });
    expect(model.numLabels).toBe(1);
    const out = model.forward(modelInputs);
    expect(out.logits.shape).toEqual([2, 1]);
    expect(maxDiff(out.logits.dataSync(), expected.regression_logits!)).toBeLessThan(tol);
    tf.dispose([out.lastHiddenState, out.logits, out.pooledOutput]);
    model.dispose();
  });

  it('question answering: start and end logits on real tokens', async () => {
    await initBackend({ engine });
    const { spec, stateDict } = await fixtureCheckpoint('deberta-v3-tiny/qa');
    const model = buildModel(spec, { task: 'question-answering', stateDict });
    const out = model.forward(modelInputs);
    expect(out.startLogits.shape).toEqual([2, 40]);
    expect(maxDiffValidRows(out.startLogits.dataSync(), expected.qa_start_logits!, mask)).toBeLessThan(tol);
    expect(maxDiffValidRows(out.endLogits.dataSync(), expected.qa_end_logits!, mask)).toBeLessThan(tol);
    tf.dispose([out.lastHiddenState, out.startLogits, out.endLogits]);
    model.dispose();
  });
});
