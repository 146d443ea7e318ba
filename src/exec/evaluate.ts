// Runs a network over a whole image set in batches and scores it.
import type { ImageSet } from "../data/dataset.js";
import { imagesToFloat } from "../data/dataset.js";
import { TopKCounter } from "../metrics/topk.js";

/** What evaluate needs of a network: batched FP32 NCHW in, class probabilities out. */
export interface BatchRunner {
  readonly maxBatch: number;
  input(n: number): Float32Array;
  output(n: number): Float32Array;
  run(n: number): void;
  readonly outputSize: number;
}

export interface Evaluation {
  top1: number;
  top5: number;
  images: number;
  batches: number;
  batchSize: number;
  /** Wall time spent in run(), excluding input preparation and scoring. */
  runMs: number;
}

export function evaluate(
  net: BatchRunner, set: ImageSet, limit = set.count,
  onProgress?: (done: number, total: number) => void,
): Evaluation {
  const counter = new TopKCounter();
  const total = Math.min(limit, set.count);
  let runMs = 0, batches = 0;
  for (let start = 0; start < total; start += net.maxBatch) {
    const n = Math.min(net.maxBatch, total - start);
    imagesToFloat(set, start, n, net.input(n));
    const t0 = performance.now();
    net.run(n);
    runMs += performance.now() - t0;
    counter.add(net.output(n), set.labels.subarray(start, start + n), net.outputSize);
    batches++;
    if (onProgress && batches % 16 === 0) onProgress(start + n, total);
  }
  return { top1: counter.top1Rate, top5: counter.top5Rate, images: total, batches, batchSize: net.maxBatch, runMs };
}
