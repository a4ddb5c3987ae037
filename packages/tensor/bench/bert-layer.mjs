// A BERT-base-shaped encoder layer (hidden 768, 12 heads, FFN 3072, GELU, post-LayerNorm) written with
// plain tfjs-core ops, for benchmarking engines. Shared by the tensor benchmarks.

/** Random weights of one layer, as tf.Variables. */
export function makeLayer(tf, { hidden = 768, ffn = 3072, seed = 1 } = {}) {
  let s = seed;
  const w = (shape, name) => tf.variable(tf.randomNormal(shape, 0, 0.02, 'float32', s++), true, name);
  const z = (shape, name) => tf.variable(tf.zeros(shape), true, name);
  const o = (shape, name) => tf.variable(tf.ones(shape), true, name);
  return {
    hidden,
    heads: 12,
    q: w([hidden, hidden], 'q'), qb: z([hidden], 'qb'),
    k: w([hidden, hidden], 'k'), kb: z([hidden], 'kb'),
    v: w([hidden, hidden], 'v'), vb: z([hidden], 'vb'),
    o: w([hidden, hidden], 'o'), ob: z([hidden], 'ob'),
    ln1g: o([hidden], 'ln1g'), ln1b: z([hidden], 'ln1b'),
    up: w([hidden, ffn], 'up'), upb: z([ffn], 'upb'),
    down: w([ffn, hidden], 'down'), downb: z([hidden], 'downb'),
    ln2g: o([hidden], 'ln2g'), ln2b: z([hidden], 'ln2b'),
  };
}

function layerNorm(tf, x, gamma, beta, eps = 1e-12) {
  const { mean, variance } = tf.moments(x, -1, true);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, eps))), gamma), beta);
}

function gelu(tf, x) {
  return tf.mul(tf.mul(x, 0.5), tf.add(1, tf.erf(tf.mul(x, Math.SQRT1_2))));
}

/** Forward of the layer on x [batch, seq, hidden]. */
export function layerForward(tf, p, x) {
  const [batch, seq, hidden] = x.shape;
  const headDim = hidden / p.heads;
  const flat = tf.reshape(x, [batch * seq, hidden]);
  const split = (t) => tf.transpose(tf.reshape(t, [batch, seq, p.heads, headDim]), [0, 2, 1, 3]);
  const q = split(tf.add(tf.matMul(flat, p.q), p.qb));
  const k = split(tf.add(tf.matMul(flat, p.k), p.kb));
  const v = split(tf.add(tf.matMul(flat, p.v), p.vb));
  const scores = tf.div(tf.matMul(q, k, false, true), Math.sqrt(headDim));
  const context = tf.matMul(tf.softmax(scores), v);
  const merged = tf.reshape(tf.transpose(context, [0, 2, 1, 3]), [batch * seq, hidden]);
  const attn = layerNorm(tf, tf.add(tf.add(tf.matMul(merged, p.o), p.ob), flat), p.ln1g, p.ln1b);
  const inter = gelu(tf, tf.add(tf.matMul(attn, p.up), p.upb));
  const out = layerNorm(tf, tf.add(tf.add(tf.matMul(inter, p.down), p.downb), attn), p.ln2g, p.ln2b);
  return tf.reshape(out, [batch, seq, hidden]);
}
