// Per-tensor statistics gathered over calibration batches: the largest |x|
// (first pass) and a histogram of |x| over [0, amax] (second pass).
export const HISTOGRAM_BINS = 2048;

export class AbsHistogram {
  readonly bins: Float64Array;
  readonly binWidth: number;
  count = 0;

  constructor(readonly range: number, bins = HISTOGRAM_BINS) {
    this.bins = new Float64Array(bins);
    this.binWidth = range > 0 ? range / bins : 1;
  }

  add(values: Float32Array): void {
    const last = this.bins.length - 1;
    const inv = 1 / this.binWidth;
    for (let i = 0; i < values.length; i++) {
      const b = Math.floor(Math.abs(values[i]!) * inv);
      this.bins[b > last ? last : b]!++;
    }
    this.count += values.length;
  }
}

export function maxAbs(values: Float32Array, current = 0): number {
  let m = current;
  for (let i = 0; i < values.length; i++) {
    const a = Math.abs(values[i]!);
    if (a > m) m = a;
  }
  return m;
}
