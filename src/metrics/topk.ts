// sample_int8's scoring: an image counts for top-k when fewer than k other
// classes have a probability >= the true class's (ties count against).
import { fail } from "../errors.js";

export function isTopK(probs: Float32Array, offset: number, classes: number, label: number, k: number): boolean {
  const truth = probs[offset + label]!;
  let atLeastAsLikely = 0;
  for (let c = 0; c < classes; c++) {
    if (c !== label && probs[offset + c]! >= truth) atLeastAsLikely++;
  }
  return atLeastAsLikely < k;
}

export class TopKCounter {
  top1 = 0;
  top5 = 0;
  total = 0;

  add(probs: Float32Array, labels: Uint8Array, classes: number): void {
    for (let i = 0; i < labels.length; i++) {
      if (labels[i]! >= classes) fail("BAD_ARGUMENT", `label ${labels[i]} of image ${this.total + i} is not one of the network's ${classes} classes`);
      if (isTopK(probs, i * classes, classes, labels[i]!, 1)) this.top1++;
      if (isTopK(probs, i * classes, classes, labels[i]!, 5)) this.top5++;
    }
    this.total += labels.length;
  }

  get top1Rate(): number {
    return this.total ? this.top1 / this.total : 0;
  }
  get top5Rate(): number {
    return this.total ? this.top5 / this.total : 0;
  }
}
