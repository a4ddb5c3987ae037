import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@adalora/tensor';
import { describe, expect, it } from 'vitest';
import { fixtureCheckpoint, fixtureExpected, fixtureInputs, maxDiff, rows } from '../__fixtures__/fixtures.js';
import { buildModel } from '../model.js';
import { robertaPositionIds } from './bert-backbone.js';

// Golden outputs of transformers v4.40.2 (float32, eval mode) for tiny BERT and RoBERTa checkpoints
// (src/__fixtures__/README.md). BERT/RoBERTa padded rows are well defined, so every position is
// compared; tolerance 1e-4 absolute.
const tol = 1e-4;

for (const family of ['bert', 'roberta'] as const) {
  const name = `${family}-tiny`;
  const inputs = fixtureInputs(name);
  const expected = fixtureExpected(name);
  const modelInputs = {
    inputIds: rows(inputs.input_ids!),
    attentionMask: rows(inputs.attention_mask!),
    ...(inputs.token_type_ids === undefined ? {} : { tokenTypeIds: rows(inputs.token_type_ids) }),
  };

  describe.each(['cpu', 'wasm'] as const)(`${family} tiny fixtures on %s`, (engine) => {
    it('base: embeddings, hidden states, attentions, last hidden state (and BERT pooler)', async () => {
      await initBackend({ engine });
      const { spec, stateDict } = await fixtureCheckpoint(`${name}/base`);
      const model = buildModel(spec, { task: 'base', stateDict });
      const out = model.forward(modelInputs, { outputHiddenStates: true, outputAttentions: true });
      expect(maxDiff(out.lastHiddenState.dataSync(), expected.last_hidden_state!)).toBeLessThan(tol);
      expect(maxDiff(out.hiddenStates![0]!.dataSync(), expected.embedding_output!)).toBeLessThan(tol);
      const stacked = tf.stack(out.hiddenStates!);
      expect(maxDiff(stacked.dataSync(), expected.hidden_states!)).toBeLessThan(tol);
      expect(maxDiff(out.attentions![0]!.dataSync(), expected.attentions_layer0!)).toBeLessThan(tol);
      if (family === 'bert') expect(maxDiff(out.pooledOutput!.dataSync(), expected.pooler_output!)).toBeLessThan(tol);
      else expect(out.pooledOutput).toBeUndefined();
      expect(model.loadReport.initialized).toEqual([]);
      tf.dispose([stacked, out.lastHiddenState, ...out.hiddenStates!, ...out.attentions!, ...(out.pooledOutput ? [out.pooledOutput] : [])]);
      model.dispose();
    });

    it('sequence classification, regression and question answering heads', async () => {
      await initBackend({ engine });
      for (const [folder, key] of [['seqcls', 'seqcls_logits'], ['regression', 'regression_logits']] as const) {
        const { spec, stateDict } = await fixtureCheckpoint(`${name}/${folder}`);
        const model = buildModel(spec, { task: 'sequence-classification', stateDict });
        const out = model.forward(modelInputs);
        expect(maxDiff(out.logits.dataSync(), expected[key]!)).toBeLessThan(tol);
        if (folder === 'seqcls') expect(maxDiff(out.pooledOutput.dataSync(), (expected.seqcls_pooled ?? expected.pooler_output)!)).toBeLessThan(tol);
        tf.dispose([out.lastHiddenState, out.logits, out.pooledOutput]);
        model.dispose();
      }
      const { spec, stateDict } = await fixtureCheckpoint(`${name}/qa`);
      const model = buildModel(spec, { task: 'question-answering', stateDict });
      const out = model.forward(modelInputs);
      expect(maxDiff(out.startLogits.dataSync(), expected.qa_start_logits!)).toBeLessThan(tol);
      expect(maxDiff(out.endLogits.dataSync(), expected.qa_end_logits!)).toBeLessThan(tol);
      tf.dispose([out.lastHiddenState, out.startLogits, out.endLogits]);
      model.dispose();
    });
  });
}

describe('BERT legacy LayerNorm names and RoBERTa position ids', () => {
  it('loads LayerNorm.gamma/beta as weight/bias and reproduces the base outputs', async () => {
    await initBackend({ engine: 'cpu' });
    const inputs = fixtureInputs('bert-tiny');
    const expected = fixtureExpected('bert-tiny');
    const { spec, stateDict } = await fixtureCheckpoint('bert-tiny/base-legacy-names');
    expect([...stateDict.keys()].some((k) => k.endsWith('LayerNorm.gamma'))).toBe(true);
    const model = buildModel(spec, { task: 'base', stateDict });
    expect(model.loadReport.notes.join(' ')).toMatch(/gamma → weight/);
    const out = model.forward({ inputIds: rows(inputs.input_ids!), attentionMask: rows(inputs.attention_mask!), tokenTypeIds: rows(inputs.token_type_ids!) });
    expect(maxDiff(out.lastHiddenState.dataSync(), expected.last_hidden_state!)).toBeLessThan(tol);
    tf.dispose([out.lastHiddenState, out.pooledOutput!]);
    model.dispose();
  });

  it('RoBERTa position ids equal the recorded ones (start at pad + 1, padding gets pad)', () => {
    const inputs = fixtureInputs('roberta-tiny');
    const expected = fixtureExpected('roberta-tiny');
    const [b, l] = inputs.input_ids!.shape as [number, number];
    expect([...robertaPositionIds(Int32Array.from(inputs.input_ids!.data), b, l, 1)]).toEqual(expected.position_ids!.data);
  });
});
