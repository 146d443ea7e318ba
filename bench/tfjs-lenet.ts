// LeNet built with TF.js ops from octet's FP32 weights (NHWC: filters as
// HWIO, ip1's rows permuted from octet's NCHW flattening to NHWC's), for the
// TF.js wasm peer in Node (peers.ts) and in the page (browser/page.ts).
/* eslint-disable @typescript-eslint/no-explicit-any */
import type { Model } from "../src/model/model.js";

/** Returns run(x NCHW FP32, batch) -> probabilities [batch, 10]. */
export function tfjsLenet(tf: any, m: Model): (x: Float32Array, batch: number) => Float32Array {
  const w = (n: string) => m.weights.get(n)!;
  const hwio = (t: { dims: number[]; data: Float32Array }) => {
    const [K, C, kh, kw] = t.dims as [number, number, number, number];
    const out = new Float32Array(t.data.length);
    for (let k = 0; k < K; k++) for (let c = 0; c < C; c++) for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) out[((y * kw + x) * C + c) * K + k] = t.data[((k * C + c) * kh + y) * kw + x]!;
    return tf.tensor4d(out, [kh, kw, C, K]);
  };
  const ip1 = w("ip1.weight");
  const ip1t = new Float32Array(800 * 500);
  for (let o = 0; o < 500; o++) for (let c = 0; c < 50; c++) for (let p = 0; p < 16; p++) ip1t[(p * 50 + c) * 500 + o] = ip1.data[o * 800 + c * 16 + p]!;
  const ip2 = w("ip2.weight");
  const ip2t = new Float32Array(500 * 10);
  for (let o = 0; o < 10; o++) for (let i = 0; i < 500; i++) ip2t[i * 10 + o] = ip2.data[o * 500 + i]!;
  const p = {
    c1: hwio(w("conv1.weight")), b1: tf.tensor1d(w("conv1.bias").data), c2: hwio(w("conv2.weight")), b2: tf.tensor1d(w("conv2.bias").data),
    f1: tf.tensor2d(ip1t, [800, 500]), g1: tf.tensor1d(w("ip1.bias").data), f2: tf.tensor2d(ip2t, [500, 10]), g2: tf.tensor1d(w("ip2.bias").data),
  };
  return (x, batch) => tf.tidy(() => {
    const input = tf.transpose(tf.tensor4d(x, [batch, 1, 28, 28]), [0, 2, 3, 1]);
    let h = tf.add(tf.conv2d(input, p.c1, 1, "valid"), p.b1);
    h = tf.maxPool(h, 2, 2, "valid");
    h = tf.add(tf.conv2d(h, p.c2, 1, "valid"), p.b2);
    h = tf.reshape(tf.maxPool(h, 2, 2, "valid"), [batch, 800]);
    h = tf.relu(tf.add(tf.matMul(h, p.f1), p.g1));
    return tf.softmax(tf.add(tf.matMul(h, p.f2), p.g2)).dataSync() as Float32Array;
  });
}
