// Calibration algorithms: from a tensor's |x| statistics to its amax
// (the value that maps to 127; the INT8 scale is amax / 127).
import { AbsHistogram } from "./histogram.js";

export type CalibrationAlgorithm = "entropy" | "minmax" | "percentile";
export const CALIBRATION_ALGORITHMS: readonly CalibrationAlgorithm[] = ["entropy", "minmax", "percentile"];

export const QUANTIZED_LEVELS = 128;

/**
 * TensorRT's EntropyCalibration2 on a 2048-bin histogram of |x| over [0, max]:
 *
 *   bin 0 first takes bin 1's count: exact zeros (ReLU outputs, background
 *   pixels) would otherwise dominate every divergence and drag the threshold
 *   down (NVIDIA's pytorch-quantization calibrator does the same);
 *   for each candidate threshold of i bins, i = 128 .. 2048:
 *     P = bins[0 .. i-1], with every count beyond the threshold (bins[i ..])
 *         added to P[i-1] (outliers are clipped to the threshold);
 *     Q = bins[0 .. i-1] (without the outliers) merged into 128 levels
 *         (floor(i/128) bins each, the last level also takes the remainder)
 *         and expanded back to i bins: each level's total is spread evenly
 *         over the bins of that level where P is non-zero; bins where P is
 *         zero stay zero;
 *     smooth P and Q (counts): every zero bin gets eps = 1e-4 and every
 *         non-zero bin gives up eps * zeros / nonzeros, so KL stays finite
 *         (MXNet's calibrator does the same);
 *     divergence[i] = KL(P || Q) = sum P log(P / Q), P and Q normalised.
 *   The i with the least divergence wins (the smallest i on ties);
 *   amax = (i + 0.5) * bin width.
 */
export function entropyAmax(h: AbsHistogram): number {
  const bins = h.bins.slice();
  const n = bins.length;
  if (h.range === 0) return 0;
  if (n > 1) bins[0] = bins[1]!;
  const levels = Math.min(QUANTIZED_LEVELS, n);
  const suffix = new Float64Array(n + 1);
  for (let i = n - 1; i >= 0; i--) suffix[i] = suffix[i + 1]! + bins[i]!;
  let best = n, bestDivergence = Infinity;
  const p = new Float64Array(n), q = new Float64Array(n);
  for (let i = levels; i <= n; i++) {
    for (let b = 0; b < i; b++) p[b] = bins[b]!;
    p[i - 1]! += suffix[i]!;
    const perLevel = Math.floor(i / levels);
    for (let level = 0; level < levels; level++) {
      const start = level * perLevel;
      const end = level === levels - 1 ? i : start + perLevel;
      let total = 0, nonZero = 0;
      for (let b = start; b < end; b++) {
        total += bins[b]!;
        if (p[b]! !== 0) nonZero++;
      }
      const each = nonZero ? total / nonZero : 0;
      for (let b = start; b < end; b++) q[b] = p[b]! !== 0 ? each : 0;
    }
    const d = klDivergence(smooth(p, i), smooth(q, i), i);
    if (d < bestDivergence) {
      bestDivergence = d;
      best = i;
    }
  }
  return (best + 0.5) * h.binWidth;
}

const EPS = 1e-4;

function smooth(x: Float64Array, length: number): Float64Array {
  let zeros = 0;
  for (let b = 0; b < length; b++) if (x[b] === 0) zeros++;
  const take = zeros === length ? 0 : (EPS * zeros) / (length - zeros);
  for (let b = 0; b < length; b++) {
    const v = x[b]!;
    x[b] = v === 0 || v - take <= 0 ? EPS : v - take;
  }
  return x;
}

function klDivergence(p: Float64Array, q: Float64Array, length: number): number {
  let ps = 0, qs = 0;
  for (let b = 0; b < length; b++) {
    ps += p[b]!;
    qs += q[b]!;
  }
  let d = 0;
  for (let b = 0; b < length; b++) {
    const pb = p[b]! / ps, qb = q[b]! / qs;
    d += pb * Math.log(pb / qb);
  }
  return d;
}

/**
 * The given percentile of |x|: the upper edge of the histogram bin where the
 * cumulative count first reaches `percentile`% of all values.
 */
export function percentileAmax(h: AbsHistogram, percentile: number): number {
  const target = (percentile / 100) * h.count;
  let cumulative = 0;
  for (let b = 0; b < h.bins.length; b++) {
    cumulative += h.bins[b]!;
    if (cumulative >= target) return Math.min(h.range, (b + 1) * h.binWidth);
  }
  return h.range;
}
