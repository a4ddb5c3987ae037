// The two encoder shapes the benchmark trains, shared by the tfjs step (ours-step.mjs) and, through
// --print-config, the PyTorch step (torch_step.py), so both run exactly the same sizes.
export const models = {
  // bert-base-uncased: absolute positions, token types, LayerNorm eps 1e-12.
  bert: { vocab: 30522, hidden: 768, heads: 12, ffn: 3072, layers: 12, maxPositions: 512, typeVocab: 2, eps: 1e-12, relative: null },
  // microsoft/deberta-v3-base: no absolute positions, relative attention c2p + p2c over a 2·256-row table
  // (position_buckets 256, max_relative_positions 512, share_att_key), LayerNorm eps 1e-7.
  deberta: {
    vocab: 128100, hidden: 768, heads: 12, ffn: 3072, layers: 12, maxPositions: 0, typeVocab: 0, eps: 1e-7,
    relative: { buckets: 256, maxRelative: 512 },
  },
};

export const batch = 8;
export const seq = 128;
/** AdaLoRA: initial rank 12 on the six matrices of every layer, alpha 32, orthogonal-regulariser weight 0.1. */
export const adapter = { rank: 12, alpha: 32, orthWeight: 0.1 };
/** Fraction of triplets kept when masking (a step in AdaLoRA's budget decay). */
export const keepFraction = 0.75;

/**
 * DeBERTa-v2/v3's log-bucketed relative position (transformers' make_log_bucket_position) of query i and
 * key j, clamped into the 2·buckets-row table: δ(i, j) = clamp(bucket(i − j) + buckets, 0, 2·buckets − 1).
 */
export function relativeIndex(length, buckets, maxRelative) {
  const mid = Math.floor(buckets / 2);
  const bucket = (r) => {
    const abs = r < mid && r > -mid ? mid - 1 : Math.abs(r);
    if (abs <= mid) return r;
    return Math.sign(r) * (Math.ceil((Math.log(abs / mid) / Math.log((maxRelative - 1) / mid)) * (mid - 1)) + mid);
  };
  const top = 2 * buckets - 1;
  // c2p[i, j] = C[i, δ(i, j)]: flat index into C viewed as [L·2k]; p2c[i, j] = P[j, δ(i, j)].
  const c2p = new Int32Array(length * length);
  const p2c = new Int32Array(length * length);
  for (let i = 0; i < length; i++) {
    for (let j = 0; j < length; j++) {
      const delta = Math.min(Math.max(bucket(i - j) + buckets, 0), top);
      c2p[i * length + j] = i * 2 * buckets + delta;
      p2c[i * length + j] = j * 2 * buckets + delta;
    }
  }
  return { c2p, p2c };
}

if (process.argv[2] === '--print-config') {
  const { c2p, p2c } = relativeIndex(seq, 256, 512);
  console.log(JSON.stringify({ models, batch, seq, adapter, keepFraction, deberta: { c2p: [...c2p], p2c: [...p2c] } }));
}
