import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '@adalora/tensor';
import { describe, expect, it } from 'vitest';
import { fixtureCheckpoint, fixtureExpected, fixtureInputs, maxDiff, maxDiffAttentionRows, maxDiffValidRows, rows } from '../__fixtures__/fixtures.js';
import { buildModel } from '../model.js';

// DeBERTa-v2 code paths the v3 fixtures do not reach, with expected outputs from transformers' own
// DeBERTa-v2 classes (src/__fixtures__/deberta-v2-variants/generate.py and README): embed_proj, absolute
// positions, token types, separate pos_key_proj/pos_query_proj, no relative LayerNorm, unbucketed
// positions with the clamp active, ConvLayer (gelu; grouped tanh), c2p only, explicit attention_head_size.
const tol = 1e-4;

describe.each(['cpu', 'wasm'] as const)('DeBERTa-v2 variants on %s', (engine) => {
  it.each(['v2-embed-proj-conv', 'v2-c2p-groups-headsize'])('%s: embeddings, every layer, attentions, pooled output and logits', async (variant) => {
    await initBackend({ engine });
    const name = `deberta-v2-variants/${variant}`;
    const inputs = fixtureInputs(name);
    const expected = fixtureExpected(name);
    const mask = inputs.attention_mask!.data;
    const { spec, stateDict } = await fixtureCheckpoint(name);
    const model = buildModel(spec, { task: 'sequence-classification', stateDict });
    expect(model.loadReport.unexpected).toEqual([]);
    const out = model.forward(
      { inputIds: rows(inputs.input_ids!), attentionMask: rows(inputs.attention_mask!), tokenTypeIds: rows(inputs.token_type_ids!) },
      { outputHiddenStates: true, outputAttentions: true },
    );
    expect(maxDiffValidRows(out.hiddenStates![0]!.dataSync(), expected.embedding_output!, mask)).toBeLessThan(tol);
    const stacked = tf.stack(out.hiddenStates!);
    expect(maxDiffValidRows(stacked.dataSync(), expected.hidden_states!, mask, { leading: 1 })).toBeLessThan(tol);
    expect(maxDiffValidRows(out.lastHiddenState.dataSync(), expected.last_hidden_state!, mask)).toBeLessThan(tol);
    expect(maxDiffAttentionRows(out.attentions![0]!.dataSync(), expected.attentions_layer0!, mask)).toBeLessThan(tol);
    expect(maxDiff(out.pooledOutput.dataSync(), expected.seqcls_pooled!)).toBeLessThan(tol);
    expect(maxDiff(out.logits.dataSync(), expected.seqcls_logits!)).toBeLessThan(tol);
    tf.dispose([stacked, out.lastHiddenState, out.logits, out.pooledOutput, ...out.hiddenStates!, ...out.attentions!]);
    model.dispose();
  });
});
