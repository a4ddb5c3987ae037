// Benchmark of the tokenizer layer (run after `pnpm build`): `node src/tokenizers/bench/tokenizer-bench.mjs`.
// Prints JSON: the time to load a DeBERTa-v3-sized spm.model (128,000 pieces, synthetic, with the fixture's
// nmt_nfkc charsmap) through the protobuf parse + tokenizer.json conversion, and encoding throughput of
// SQuAD-shaped pairs (384 / stride 128 windows) and GLUE-shaped pairs (128, longest_first).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const { loadTokenizer, readSentencePieceModel } = await import('../../../dist/index.js');
const protobuf = createRequire(import.meta.url)('protobufjs/light.js');

const fixture = join(here, '..', '__fixtures__', 'deberta-v3-tiny-spm');
const small = readSentencePieceModel(readFileSync(join(fixture, 'spm.model')));
const root = protobuf.Root.fromJSON({
  nested: {
    ModelProto: { fields: { pieces: { rule: 'repeated', type: 'P', id: 1 }, trainerSpec: { type: 'T', id: 2 }, normalizerSpec: { type: 'N', id: 3 } } },
    P: { fields: { piece: { type: 'string', id: 1 }, score: { type: 'float', id: 2 }, type: { type: 'int32', id: 3 } } },
    T: { fields: { modelType: { type: 'int32', id: 3 }, unkId: { type: 'int32', id: 40 } } },
    N: { fields: { name: { type: 'string', id: 1 }, precompiledCharsmap: { type: 'bytes', id: 2 } } },
  },
});
const letters = 'abcdefghijklmnopqrstuvwxyz';
const pieces = small.pieces.map((p) => ({ piece: p.piece, score: p.score, type: p.type === 'control' ? 3 : p.type === 'unknown' ? 2 : 1 }));
for (let i = pieces.length; i < 128000; i++) {
  let s = '▁';
  for (let n = i; n > 0; n = Math.floor(n / 26)) s += letters[n % 26];
  pieces.push({ piece: s, score: -10 - i / 1e4, type: 1 });
}
const ModelProto = root.lookupType('ModelProto');
const bytes = ModelProto.encode({ pieces, trainerSpec: { modelType: 1, unkId: 3 }, normalizerSpec: { name: 'nmt_nfkc', precompiledCharsmap: small.precompiledCharsmap } }).finish();
const dir = mkdtempSync(join(tmpdir(), 'adalora-tok-bench-'));
writeFileSync(join(dir, 'spm.model'), bytes);
writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ do_lower_case: false, vocab_type: 'spm' }));

const t0 = performance.now();
const big = await loadTokenizer(dir);
const loadMs = performance.now() - t0;
rmSync(dir, { recursive: true, force: true });

const tok = await loadTokenizer(fixture);
const sentence = 'The GNU General Public License is a free, copyleft license for software and other kinds of works. ';
const context = sentence.repeat(40);
const question = 'What is the license for software?';
const n = 200;
let features = 0;
const t1 = performance.now();
for (let i = 0; i < n; i++) {
  const enc = await tok.encode(question, context, { maxLength: 384, truncation: 'only_second', stride: 128, returnOverflowing: true, padding: 'max_length' });
  features += 1 + enc.overflowing.length;
}
const squadMs = performance.now() - t1;
const pairs = Array.from({ length: 2000 }, (_, i) => [`${sentence.slice(0, 40 + (i % 50))}`, sentence.repeat(1 + (i % 3))]);
const t2 = performance.now();
await tok.encodeBatch(pairs, { maxLength: 128, truncation: true, padding: 'max_length' });
const glueMs = performance.now() - t2;

console.log(
  JSON.stringify({
    spm128kPieces: { bytes: bytes.byteLength, vocabSize: big.vocabSize, loadMs: Math.round(loadMs) },
    squadPairs: { examples: n, contextTokens: (await tok.encode(context, null, { addSpecialTokens: false })).ids.length, features, msPerExample: +(squadMs / n).toFixed(3) },
    gluePairs: { examples: pairs.length, msPerExample: +(glueMs / pairs.length).toFixed(4) },
  }),
);
