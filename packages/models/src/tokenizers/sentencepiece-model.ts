import { UnsupportedInputError } from '@adalora/core';
import protobuf from 'protobufjs/light.js';

/** Kind of a SentencePiece piece (`SentencePiece.Type` of `sentencepiece_model.proto`). */
export type PieceType = 'normal' | 'unknown' | 'control' | 'user-defined' | 'unused' | 'byte';

/** The parts of a SentencePiece `ModelProto` (`spm.model`) a Hugging Face conversion uses. */
export interface SentencePieceModel {
  pieces: Array<{ piece: string; score: number; type: PieceType }>;
  /** `trainer_spec.model_type`. */
  modelType: 'unigram' | 'bpe' | 'word' | 'char';
  unkId: number;
  byteFallback: boolean;
  /** `normalizer_spec.name`, e.g. `nmt_nfkc`. */
  normalizerName: string;
  /** `normalizer_spec.precompiled_charsmap` (empty when the model has none). */
  precompiledCharsmap: Uint8Array;
  addDummyPrefix: boolean;
  removeExtraWhitespaces: boolean;
}

// The fields of google/sentencepiece's src/sentencepiece_model.proto that are read here (proto2; the numbers
// and defaults are the .proto's). Everything else in the file is skipped by the decoder.
const root = protobuf.Root.fromJSON({
  nested: {
    ModelProto: {
      fields: {
        pieces: { rule: 'repeated', type: 'SentencePiece', id: 1 },
        trainerSpec: { type: 'TrainerSpec', id: 2 },
        normalizerSpec: { type: 'NormalizerSpec', id: 3 },
      },
    },
    SentencePiece: {
      fields: {
        piece: { type: 'string', id: 1 },
        score: { type: 'float', id: 2 },
        type: { type: 'int32', id: 3, options: { default: 1 } },
      },
    },
    TrainerSpec: {
      fields: {
        modelType: { type: 'int32', id: 3, options: { default: 1 } },
        byteFallback: { type: 'bool', id: 35, options: { default: false } },
        unkId: { type: 'int32', id: 40, options: { default: 0 } },
      },
    },
    NormalizerSpec: {
      fields: {
        name: { type: 'string', id: 1 },
        precompiledCharsmap: { type: 'bytes', id: 2 },
        addDummyPrefix: { type: 'bool', id: 3, options: { default: true } },
        removeExtraWhitespaces: { type: 'bool', id: 4, options: { default: true } },
      },
    },
  },
});
const ModelProto = root.lookupType('ModelProto');

const PIECE_TYPES: Record<number, PieceType> = { 1: 'normal', 2: 'unknown', 3: 'control', 4: 'user-defined', 5: 'unused', 6: 'byte' };
const MODEL_TYPES: Record<number, SentencePieceModel['modelType']> = { 1: 'unigram', 2: 'bpe', 3: 'word', 4: 'char' };

interface DecodedModel {
  pieces: Array<{ piece: string; score: number; type: number }>;
  trainerSpec?: { modelType: number; byteFallback: boolean; unkId: number };
  normalizerSpec?: { name: string; precompiledCharsmap: Uint8Array; addDummyPrefix: boolean; removeExtraWhitespaces: boolean };
}

/**
 * Parse a serialized SentencePiece model (`spm.model`, a `ModelProto` protobuf) with `protobufjs`.
 * `source` names the file in errors.
 */
export function readSentencePieceModel(bytes: Uint8Array, source = 'spm.model'): SentencePieceModel {
  let decoded: DecodedModel;
  try {
    decoded = ModelProto.decode(bytes) as unknown as DecodedModel;
  } catch (error) {
    throw new UnsupportedInputError({
      source,
      expected: 'a SentencePiece model (ModelProto protobuf)',
      found: `bytes that do not decode (${(error as Error).message})`,
    });
  }
  if (decoded.pieces.length === 0) {
    throw new UnsupportedInputError({ source, expected: 'a SentencePiece model with pieces', found: 'no pieces' });
  }
  const trainer = decoded.trainerSpec;
  const normalizer = decoded.normalizerSpec;
  const pieces = decoded.pieces.map((p, i) => {
    const type = PIECE_TYPES[p.type];
    if (type === undefined) throw new UnsupportedInputError({ source, expected: `a known piece type for piece ${i}`, found: String(p.type) });
    return { piece: p.piece, score: p.score, type };
  });
  const modelType = MODEL_TYPES[trainer?.modelType ?? 1];
  if (modelType === undefined) throw new UnsupportedInputError({ source, expected: 'model_type UNIGRAM, BPE, WORD or CHAR', found: String(trainer?.modelType) });
  const unkId = trainer?.unkId ?? 0;
  if (unkId < 0 || unkId >= pieces.length) {
    throw new UnsupportedInputError({ source, expected: `unk_id within the ${pieces.length} pieces`, found: String(unkId) });
  }
  return {
    pieces,
    modelType,
    unkId,
    byteFallback: trainer?.byteFallback ?? false,
    normalizerName: normalizer?.name ?? '',
    precompiledCharsmap: normalizer?.precompiledCharsmap ?? new Uint8Array(0),
    addDummyPrefix: normalizer?.addDummyPrefix ?? true,
    removeExtraWhitespaces: normalizer?.removeExtraWhitespaces ?? true,
  };
}
