import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@adalora/tensor';
import { describe, expect, it } from 'vitest';
import { fixtureCheckpoint, fixtureExpected, fixtureInputs, maxDiff, maxDiffAttentionRows, maxDiffValidRows, rows } from '../__fixtures__/fixtures.js';
import { buildModel } from '../model.js';
import { layerNorm } from '../nn/layer-norm.js';

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
    expect(maxDiffAttentionRows(out.attentions![0]!.dataSync(), expected.attentions_layer0!, mask)).toBeLessThan(tol);
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

  it('the relative-embedding table after the encoder LayerNorm (eps 1e-7)', async () => {
    await initBackend({ engine });
    const { stateDict } = await fixtureCheckpoint('deberta-v3-tiny/base');
    const t = (name: string) => tf.tensor(stateDict.get(name)!.data as Float32Array, stateDict.get(name)!.shape as number[]);
    const normed = layerNorm(t('encoder.rel_embeddings.weight'), t('encoder.LayerNorm.weight'), t('encoder.LayerNorm.bias'), 1e-7);
    expect(maxDiff(normed.dataSync(), expected.rel_embeddings_normed!)).toBeLessThan(tol);
    tf.dispose(normed);
  });

  it('F16 checkpoints (base and seqcls): every recorded output of that fixture', async () => {
    await initBackend({ engine });
    const f16 = fixtureExpected('deberta-v3-tiny-f16');
    const base = await fixtureCheckpoint('deberta-v3-tiny-f16/base');
    expect(base.stateDict.get('encoder.layer.0.attention.self.query_proj.weight')!.dtype).toBe('F16');
    const model = buildModel(base.spec, { task: 'base', stateDict: base.stateDict });
    const out = model.forward(modelInputs, { outputHiddenStates: true, outputAttentions: true });
    const stacked = tf.stack(out.hiddenStates!);
    expect(maxDiffValidRows(stacked.dataSync(), f16.hidden_states!, mask, { leading: 1 })).toBeLessThan(tol);
    expect(maxDiffValidRows(out.lastHiddenState.dataSync(), f16.last_hidden_state!, mask)).toBeLessThan(tol);
    expect(maxDiffValidRows(out.hiddenStates![0]!.dataSync(), f16.embedding_output!, mask)).toBeLessThan(tol);
    expect(maxDiffAttentionRows(out.attentions![0]!.dataSync(), f16.attentions_layer0!, mask)).toBeLessThan(tol);
    tf.dispose([stacked, out.lastHiddenState, ...out.hiddenStates!, ...out.attentions!]);
    model.dispose();
    const seqcls = await fixtureCheckpoint('deberta-v3-tiny-f16/seqcls');
    const classifier = buildModel(seqcls.spec, { task: 'sequence-classification', stateDict: seqcls.stateDict });
    const logits = classifier.forward(modelInputs);
    expect(maxDiff(logits.pooledOutput.dataSync(), f16.seqcls_pooled!)).toBeLessThan(tol);
    expect(maxDiff(logits.logits.dataSync(), f16.seqcls_logits!)).toBeLessThan(tol);
    tf.dispose([logits.lastHiddenState, logits.logits, logits.pooledOutput]);
    classifier.dispose();
  });
});
