import { checkPairedLabels } from './classification-metrics.js';

/**
 * Pearson's r as scipy's `pearsonr` (≤ 1.10 code path, float64) computes it:
 * `xm = x − mean(x)`, `ym = y − mean(y)`, `r = dot(xm/‖xm‖, ym/‖ym‖)` clipped to [−1, 1];
 * exactly ±1 (the product of the slopes' signs) when n = 2; NaN when either input is constant
 * (scipy warns `ConstantInputWarning`). Needs n ≥ 2. Used for STS-B (`pearson`).
 */
export function pearson(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPairedLabels(x, y, { integers: false, metric: 'pearson' });
  const n = x.length;
  if (n < 2) throw new RangeError(`pearson: x and y must have length at least 2, got ${n}`);
  if (isConstant(x) || isConstant(y)) return Number.NaN;
  if (n === 2) {
    return Math.sign((x[1] as number) - (x[0] as number)) * Math.sign((y[1] as number) - (y[0] as number));
  }
  const xMean = mean(x);
  const yMean = mean(y);
  const xm = new Float64Array(n);
  const ym = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    xm[i] = (x[i] as number) - xMean;
    ym[i] = (y[i] as number) - yMean;
  }
  const xNorm = norm(xm);
  const yNorm = norm(ym);
  let r = 0;
  for (let i = 0; i < n; i++) r += ((xm[i] as number) / xNorm) * ((ym[i] as number) / yNorm);
  return Math.max(Math.min(r, 1), -1);
}

/**
 * Spearman's rho as scipy's `spearmanr` computes it: rank both inputs giving tied values the average of
 * their ranks (`rankdata(method='average')`), then the Pearson correlation of the ranks as `np.corrcoef`
 * does it: `cov(a, b) / sqrt(var(a)) / sqrt(var(b))` on the centred ranks, clipped to [−1, 1].
 * NaN when either input is constant. Used for STS-B (`spearmanr`).
 */
export function spearman(x: ArrayLike<number>, y: ArrayLike<number>): number {
  checkPairedLabels(x, y, { integers: false, metric: 'spearmanr' });
  if (x.length < 2) throw new RangeError(`spearmanr: x and y must have length at least 2, got ${x.length}`);
  if (isConstant(x) || isConstant(y)) return Number.NaN;
  const a = averageRanks(x);
  const b = averageRanks(y);
  const n = a.length;
  const aMean = mean(a);
  const bMean = mean(b);
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = (a[i] as number) - aMean;
    const db = (b[i] as number) - bMean;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  const r = sab / (n - 1) / Math.sqrt(saa / (n - 1)) / Math.sqrt(sbb / (n - 1));
  return Math.max(Math.min(r, 1), -1);
}

/**
 * 1-based ranks with ties replaced by the average of the ranks they span (scipy `rankdata`, method
 * 'average'): `[10, 20, 20, 30]` → `[1, 2.5, 2.5, 4]`.
 */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((i, j) => (values[i] as number) - (values[j] as number) || i - j);
  const ranks = new Float64Array(n);
  let start = 0;
  while (start < n) {
    let end = start + 1;
    while (end < n && values[order[end] as number] === values[order[start] as number]) end++;
    const rank = (start + 1 + end) / 2; // average of ranks start+1 … end
    for (let k = start; k < end; k++) ranks[order[k] as number] = rank;
    start = end;
  }
  return ranks;
}

function isConstant(values: ArrayLike<number>): boolean {
  const first = values[0];
  for (let i = 1; i < values.length; i++) if (values[i] !== first) return false;
  return true;
}

function mean(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i] as number;
  return sum / values.length;
}

/** Euclidean norm with scaling, like LAPACK's nrm2, so huge or tiny inputs neither overflow nor underflow. */
function norm(values: Float64Array): number {
  let scale = 0;
  for (const v of values) scale = Math.max(scale, Math.abs(v));
  if (scale === 0) return 0;
  let sum = 0;
  for (const v of values) sum += (v / scale) * (v / scale);
  return scale * Math.sqrt(sum);
}
