import { fileURLToPath } from 'node:url';
import { createRegistry } from '@adalora/core';
import type { RawConfig } from './config/config-fields.js';

/** A named model: a Hugging Face hub checkpoint, or a small randomly initialised configuration. */
export interface ZooEntry {
  /** One line for listings. */
  readonly description: string;
  /** Hub repository of the checkpoint (and its tokenizer), or null for a randomly initialised model. */
  readonly hubId: string | null;
  /**
   * The model's `config.json`. For hub models, the published values (the downloaded `config.json` is what
   * `loadPretrained` uses; this copy lets a random model of the same shape be built offline, e.g. for
   * benchmarks). For random models, the whole definition.
   */
  readonly config: RawConfig;
  /** Seed of the random initialisation (random models). */
  readonly seed: number | null;
  /** Folder with the tokenizer files of a random model (shipped in this package), or null for hub models. */
  readonly tokenizerDirectory: string | null;
  /**
   * The model's `gradientCheckpointing` after `loadPretrained`: true for the real models (a base model
   * needs it to train in the wasm heap); false for the tiny ones, whose activations are a few MB and for
   * which recomputation would only cost time (about 2× per step).
   */
  readonly gradientCheckpointing: boolean;
}

/** The package's `assets/<name>` folder (the same relative path from `src/` and from `dist/`). */
function asset(name: string): string {
  return fileURLToPath(new URL(`../assets/${name}`, import.meta.url));
}

/** Shared by the published DeBERTa-v3 checkpoints (`microsoft/deberta-v3-*` `config.json`). */
const debertaV3 = {
  model_type: 'deberta-v2',
  attention_probs_dropout_prob: 0.1,
  hidden_act: 'gelu',
  hidden_dropout_prob: 0.1,
  initializer_range: 0.02,
  max_position_embeddings: 512,
  relative_attention: true,
  position_buckets: 256,
  norm_rel_ebd: 'layer_norm',
  share_att_key: true,
  pos_att_type: 'p2c|c2p',
  layer_norm_eps: 1e-7,
  max_relative_positions: -1,
  position_biased_input: false,
  type_vocab_size: 0,
  vocab_size: 128100,
} as const;

const hub = (description: string, hubId: string, config: RawConfig): ZooEntry => ({ description, hubId, config, seed: null, tokenizerDirectory: null, gradientCheckpointing: true });

/**
 * The model zoo, by name: the study's published checkpoints (resolved to their hub ids) and tiny random
 * models for tests, examples and the trainer's offline default. `modelZoo.resolve(name)` throws an
 * `UnknownImplementationError` listing the names.
 *
 * `tiny-deberta-v3` uses the DeBERTa-v3 code path (relative attention, log buckets, c2p+p2c, shared
 * projections, normalised relative embeddings) at H 64 × 2 layers × 4 heads, vocabulary 512, with the
 * 400-piece SentencePiece tokenizer in `assets/deberta-v3-tiny-spm` ([MASK] = 400).
 */
export const modelZoo = createRegistry('model', {
  'deberta-v3-base': hub('DeBERTa-v3 base (12 layers, H 768), the AdaLoRA study model', 'microsoft/deberta-v3-base', {
    ...debertaV3,
    hidden_size: 768,
    num_hidden_layers: 12,
    num_attention_heads: 12,
    intermediate_size: 3072,
  }),
  'deberta-v3-small': hub('DeBERTa-v3 small (6 layers, H 768)', 'microsoft/deberta-v3-small', {
    ...debertaV3,
    hidden_size: 768,
    num_hidden_layers: 6,
    num_attention_heads: 12,
    intermediate_size: 3072,
  }),
  'deberta-v3-xsmall': hub('DeBERTa-v3 xsmall (12 layers, H 384)', 'microsoft/deberta-v3-xsmall', {
    ...debertaV3,
    hidden_size: 384,
    num_hidden_layers: 12,
    num_attention_heads: 6,
    intermediate_size: 1536,
  }),
  'bert-base-uncased': hub('BERT base, uncased (12 layers, H 768)', 'google-bert/bert-base-uncased', {
    model_type: 'bert',
    attention_probs_dropout_prob: 0.1,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: 768,
    initializer_range: 0.02,
    intermediate_size: 3072,
    layer_norm_eps: 1e-12,
    max_position_embeddings: 512,
    num_attention_heads: 12,
    num_hidden_layers: 12,
    pad_token_id: 0,
    type_vocab_size: 2,
    vocab_size: 30522,
  }),
  'roberta-base': hub('RoBERTa base (12 layers, H 768)', 'FacebookAI/roberta-base', {
    model_type: 'roberta',
    attention_probs_dropout_prob: 0.1,
    bos_token_id: 0,
    eos_token_id: 2,
    hidden_act: 'gelu',
    hidden_dropout_prob: 0.1,
    hidden_size: 768,
    initializer_range: 0.02,
    intermediate_size: 3072,
    layer_norm_eps: 1e-5,
    max_position_embeddings: 514,
    num_attention_heads: 12,
    num_hidden_layers: 12,
    pad_token_id: 1,
    type_vocab_size: 1,
    vocab_size: 50265,
  }),
  'tiny-deberta-v3': {
    description: 'Random DeBERTa-v3-shaped model (H 64, 2 layers, 4 heads, vocab 512) with a 400-piece SentencePiece tokenizer',
    hubId: null,
    seed: 42,
    gradientCheckpointing: false,
    tokenizerDirectory: asset('deberta-v3-tiny-spm'),
    config: {
      ...debertaV3,
      vocab_size: 512,
      hidden_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 128,
      position_buckets: 32,
      max_relative_positions: 128,
      pad_token_id: 0,
      // With the published 0.02 a random 2-layer backbone maps every input to nearly the same [CLS]
      // vector (variance 2e-5 across synth-sst2 sentences), so adapters on the frozen random model can
      // hardly learn; at 0.1 the inputs stay apart and the trainer's default reaches ~80 % accuracy.
      initializer_range: 0.1,
    },
  },
  'tiny-bert': {
    description: 'Random BERT-shaped model (H 64, 2 layers, 4 heads, vocab 512) with a 304-token WordPiece tokenizer',
    hubId: null,
    seed: 42,
    gradientCheckpointing: false,
    tokenizerDirectory: asset('bert-tiny-wordpiece'),
    config: {
      model_type: 'bert',
      vocab_size: 512,
      hidden_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 128,
      max_position_embeddings: 512,
      type_vocab_size: 2,
      layer_norm_eps: 1e-12,
      pad_token_id: 0,
    },
  },
  'tiny-roberta': {
    description: 'Random RoBERTa-shaped model (H 64, 2 layers, 4 heads, vocab 576) with a 561-token byte-level BPE tokenizer',
    hubId: null,
    seed: 42,
    gradientCheckpointing: false,
    tokenizerDirectory: asset('roberta-tiny-bpe'),
    config: {
      model_type: 'roberta',
      vocab_size: 576,
      hidden_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      intermediate_size: 128,
      max_position_embeddings: 514,
      type_vocab_size: 1,
      layer_norm_eps: 1e-5,
      pad_token_id: 1,
      bos_token_id: 0,
      eos_token_id: 2,
    },
  },
} satisfies Record<string, ZooEntry>);

/** A name of the zoo. */
export type ZooName = ReturnType<typeof modelZoo.ids>[number];
