/**
 * Relative positions of DeBERTa-v2/v3 (transformers' `make_log_bucket_position` and
 * `build_relative_position`, and the clamped index into the relative-embedding table).
 */

/**
 * The log bucket of relative distance `r`: identity for |r| ≤ mid = bucketSize // 2, else
 * sign(r) · (ceil(ln(|r|/mid) / ln((maxPosition − 1)/mid) · (mid − 1)) + mid).
 * Odd-symmetric: bucket(−r) = −bucket(r). A float64 evaluation gives the same integers as transformers'
 * float32 one for the production (256, 512) and fixture (8, 32) settings (golden table in the tests).
 */
export function logBucketPosition(r: number, bucketSize: number, maxPosition: number): number {
  const mid = Math.floor(bucketSize / 2);
  const absPos = r < mid && r > -mid ? mid - 1 : Math.abs(r);
  if (absPos <= mid) return r;
  const logPos = Math.ceil((Math.log(absPos / mid) / Math.log((maxPosition - 1) / mid)) * (mid - 1)) + mid;
  return logPos * Math.sign(r);
}

/** Settings of the relative attention: `span` is k (the table has 2k rows). */
export interface RelativeSettings {
  readonly positionBuckets: number;
  readonly maxRelativePositions: number;
  readonly span: number;
}

/** Bucketed i − j (query minus key position), or the raw distance without buckets. */
export function relativePosition(i: number, j: number, s: RelativeSettings): number {
  const r = i - j;
  return s.positionBuckets > 0 && s.maxRelativePositions > 0 ? logBucketPosition(r, s.positionBuckets, s.maxRelativePositions) : r;
}

/**
 * The table row δ(i, j) = clamp(relativePosition(i, j) + k, 0, 2k − 1) for an L × L attention, row-major,
 * plus the smallest and largest row used (only rows lo..hi of the table need projecting).
 * c2p reads C[i, δ(i, j)] (query i); p2c reads P[j, δ(i, j)] (key j): transformers' p2c index
 * clamp(−bucket(j − i) + k) equals δ(i, j) by odd symmetry.
 */
export function relativeIndex(length: number, s: RelativeSettings): { delta: Int32Array; lo: number; hi: number } {
  const delta = new Int32Array(length * length);
  let lo = Infinity;
  let hi = -Infinity;
  const top = 2 * s.span - 1;
  for (let i = 0; i < length; i++) {
    for (let j = 0; j < length; j++) {
      const value = Math.min(Math.max(relativePosition(i, j, s) + s.span, 0), top);
      delta[i * length + j] = value;
      if (value < lo) lo = value;
      if (value > hi) hi = value;
    }
  }
  return { delta, lo, hi };
}
