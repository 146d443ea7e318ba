// Int8 activations as 256-entry tables (lut_*_s8: y = table[x + 128]), built
// on the host from the FP32 function: table[q + 128] = quantizeZp(fn(
// dequantizeZp(q, sIn, zIn)), sOut, zOut) (docs/int8-numerics.md
// "Activations"). fn runs in f64 on the f32 input; its result is rounded once
// by the quantization's f32 division. The functions are ONNX's definitions.
import { fail } from "../errors.js";
import { dequantizeZp, quantizeZp } from "./numerics.js";
import { checkInt, checkScale } from "./validate.js";

export type ActivationFn = (x: number) => number;

export const relu: ActivationFn = (x) => (x < 0 ? 0 : x);

export const sigmoid: ActivationFn = (x) => 1 / (1 + Math.exp(-x));

export const tanh: ActivationFn = (x) => Math.tanh(x);

/** ONNX HardSigmoid: max(0, min(1, alpha*x + beta)), defaults 0.2 and 0.5. */
export function hardSigmoid(alpha = 0.2, beta = 0.5): ActivationFn {
  return (x) => Math.max(0, Math.min(1, alpha * x + beta));
}

/** ONNX HardSwish: x * max(0, min(1, x/6 + 1/2)). */
export const hardSwish: ActivationFn = (x) => x * Math.max(0, Math.min(1, x / 6 + 0.5));

/** ONNX LeakyRelu: x < 0 ? alpha*x : x, default alpha 0.01. */
export function leakyRelu(alpha = 0.01): ActivationFn {
  return (x) => (x < 0 ? alpha * x : x);
}

/** ONNX Clip: min(max(x, min), max); ReLU6 is clip(0, 6). */
export function clip(min = -Infinity, max = Infinity): ActivationFn {
  if (!(min <= max)) fail("BAD_ARGUMENT", `clip: expected min <= max, found ${min} > ${max}`);
  return (x) => Math.min(Math.max(x, min), max);
}

export const relu6: ActivationFn = clip(0, 6);

export function buildActivationTable(fn: ActivationFn, sIn: number, zIn: number, sOut: number, zOut: number): Int8Array {
  const op = "buildActivationTable";
  checkScale(op, "sIn", sIn);
  checkScale(op, "sOut", sOut);
  checkInt(op, "zIn", zIn, -128, 127);
  checkInt(op, "zOut", zOut, -128, 127);
  const table = new Int8Array(256);
  for (let q = -128; q < 128; q++) table[q + 128] = quantizeZp(fn(dequantizeZp(q, sIn, zIn)), sOut, zOut);
  return table;
}
