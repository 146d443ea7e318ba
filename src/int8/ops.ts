// Typed, validated wrappers over the int8 wasm kernels: the host-side entry
// points. Pointers are arena pointers of the given Kernels instance. Bad
// arguments throw OctetError("BAD_ARGUMENT") before anything runs.
import type { Kernels } from "../runtime/kernels.js";
import { fail } from "../errors.js";
import type { Layout } from "./layout.js";
import type { PackedConv } from "./pack-conv.js";
import { convPath, CONV_PATH_CODE, FC_WEIGHTS } from "./kernel-config.js";
import { narrowWeights } from "./stored-weights.js";
import type { PackedFc } from "./pack-fc.js";
import { checkInt, checkPtr, checkScale, checkTensor, convOutputSize, poolOutputSize } from "./validate.js";
import type { PackedConvg } from "./pack-convg.js";
import type { PackedDwconv } from "./pack-dwconv.js";
import type { PackedConv1x1 } from "./pack-conv1x1.js";
import { type ConvEpilogue, type ConvGeometry, checkEpilogue, checkGeometry } from "./conv-geometry.js";

type Ptr = number;

/** A packed layer's parameters copied into one instance's arena. */
export interface DeviceParams {
  weights: Ptr;
  bias: Ptr;
  mult: Ptr;
}

export function uploadParams(k: Kernels, p: { weights: Int8Array; bias: Int32Array; mult: Float32Array }): DeviceParams {
  const weights = k.arena.alloc(p.weights.length);
  const bias = k.arena.allocI32(p.bias.length);
  const mult = k.arena.allocF32(p.mult.length);
  k.arena.i8(weights, p.weights.length).set(p.weights);
  k.arena.i32(bias, p.bias.length).set(p.bias);
  k.arena.f32(mult, p.mult.length).set(p.mult);
  return { weights, bias, mult };
}

/** A fully connected layer's parameters on a device: the weights narrowed to int8 where its build takes int8 rows (FC_WEIGHTS). */
export function uploadFcParams(k: Kernels, p: { weights: Int8Array; bias: Int32Array; mult: Float32Array }): DeviceParams {
  if (FC_WEIGHTS[k.isa] === "int16") return uploadParams(k, p);
  return uploadParams(k, { ...p, weights: narrowWeights(p.weights, p.weights.length >> 1, "fully connected weights") });
}

export interface ConvCall {
  x: Ptr; N: number; C: number; H: number; W: number;
  stride: number; pad: number; relu: boolean;
  y: Ptr; scratch: Ptr;
}

export function convS8(k: Kernels, layer: PackedConv, dev: DeviceParams, a: ConvCall): void {
  const op = `conv_${layer.layout}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  if (a.C !== layer.C) fail("BAD_ARGUMENT", `${op}: C: expected ${layer.C} (packed weights), found ${a.C}`);
  checkInt(op, "K", layer.K, 1, 8192);
  convOutputSize(op, a.H, a.W, layer.kernel, a.stride, a.pad);
  for (const [n, p] of [["x", a.x], ["y", a.y], ["scratch", a.scratch], ["weights", dev.weights], ["bias", dev.bias], ["mult", dev.mult]] as const) checkPtr(op, n, p);
  const path = convPath(layer.layout, layer.C, layer.kernel, a.stride);
  if (path !== layer.path) fail("BAD_ARGUMENT", `${op}: the weights are packed for the ${layer.path} path, stride ${a.stride} takes the ${path} path`);
  const f = layer.layout === "nchw4" ? k.exports.conv_nchw4_s8 : k.exports.conv_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, dev.weights, dev.bias, dev.mult, layer.K, layer.kernel, a.stride, a.pad, a.y, a.relu ? 1 : 0, a.scratch, CONV_PATH_CODE[path]);
}

export interface FcCall {
  x: Ptr; N: number; relu: boolean; y: Ptr;
  /** Output zero point and clamp (default 0 and -128..127, 0..127 with relu). */
  yZero?: number; lo?: number; hi?: number;
}

export function fcS8(k: Kernels, layer: PackedFc, dev: DeviceParams, a: FcCall): void {
  const op = `fc_${layer.layout}_s8`;
  checkTensor(op, a.N, layer.C, layer.H, layer.W);
  checkInt(op, "O", layer.O, 1, 1 << 20);
  for (const [n, p] of [["x", a.x], ["y", a.y], ["weights", dev.weights], ["bias", dev.bias], ["mult", dev.mult]] as const) checkPtr(op, n, p);
  const yZero = a.yZero ?? 0, lo = a.lo ?? (a.relu ? yZero : -128), hi = a.hi ?? 127;
  checkEpilogue(op, { xZero: 0, yZero, lo, hi });
  const f = layer.layout === "nchw4" ? k.exports.fc_nchw4_s8 : k.exports.fc_nc32hw32_s8;
  f(a.x, a.N, layer.C, layer.H, layer.W, dev.weights, dev.bias, dev.mult, layer.O, yZero, lo, hi, a.y);
}

export type PoolKind = "max" | "avg";

export interface PoolCall {
  x: Ptr; N: number; C: number; H: number; W: number; window: number; stride: number; y: Ptr;
}

export function poolS8(k: Kernels, kind: PoolKind, layout: Layout, a: PoolCall): void {
  const op = `${kind}pool_${layout}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  poolOutputSize(op, a.H, a.W, a.window, a.stride);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  const e = k.exports;
  const f = kind === "max"
    ? (layout === "nchw4" ? e.maxpool_nchw4_s8 : e.maxpool_nc32hw32_s8)
    : (layout === "nchw4" ? e.avgpool_nchw4_s8 : e.avgpool_nc32hw32_s8);
  f(a.x, a.N, a.C, a.H, a.W, a.window, a.stride, a.y);
}

export interface TensorCall {
  x: Ptr; N: number; C: number; H: number; W: number; y: Ptr;
}

/** f32 nchw -> int8 `layout`, quantized at `scale` and zero point `zero` (int8-stored). */
export function quantizeToS8(k: Kernels, layout: Layout, scale: number, a: TensorCall, zero = 0): void {
  const op = `reformat_nchw_f32_to_${layout}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  checkScale(op, "scale", scale);
  checkInt(op, "zero point", zero, -128, 127);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  const f = layout === "nchw4" ? k.exports.reformat_nchw_f32_to_nchw4_s8 : k.exports.reformat_nchw_f32_to_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, scale, zero, a.y);
}

/** int8 `layout` -> f32 nchw, dequantized at `scale` and zero point `zero` (int8-stored). */
export function dequantizeFromS8(k: Kernels, layout: Layout, scale: number, a: TensorCall, zero = 0): void {
  const op = `reformat_${layout}_s8_to_nchw_f32`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  checkScale(op, "scale", scale);
  checkInt(op, "zero point", zero, -128, 127);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  const f = layout === "nchw4" ? k.exports.reformat_nchw4_s8_to_nchw_f32 : k.exports.reformat_nc32hw32_s8_to_nchw_f32;
  f(a.x, a.N, a.C, a.H, a.W, scale, zero, a.y);
}

/** int8 `from` -> int8 `to` (nchw4 <-> nc32hw32), same scale. */
export function reblockS8(k: Kernels, from: Layout, to: Layout, a: TensorCall): void {
  const op = `reformat_${from}_s8_to_${to}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  if (from === to) fail("BAD_ARGUMENT", `${op}: to: expected a layout other than ${from}, found ${to}`);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  const f = from === "nchw4" ? k.exports.reformat_nchw4_s8_to_nc32hw32_s8 : k.exports.reformat_nc32hw32_s8_to_nchw4_s8;
  f(a.x, a.N, a.C, a.H, a.W, a.y);
}

// ---- conv family (issue 15) ------------------------------------------------

export interface ConvgCall {
  x: Ptr; N: number; C: number; H: number; W: number;
  geometry: ConvGeometry; epilogue: ConvEpilogue;
  y: Ptr; scratch: Ptr;
}

function checkConvgCall(op: string, a: ConvgCall, C: number, kh: number, kw: number, dev: DeviceParams): [number, number] {
  checkTensor(op, a.N, a.C, a.H, a.W);
  if (a.C !== C) fail("BAD_ARGUMENT", `${op}: C: expected ${C} (packed weights), found ${a.C}`);
  if (a.geometry.kh !== kh || a.geometry.kw !== kw) {
    fail("BAD_ARGUMENT", `${op}: kernel: expected ${kh}x${kw} (packed weights), found ${a.geometry.kh}x${a.geometry.kw}`);
  }
  const out = checkGeometry(op, a.H, a.W, a.geometry);
  checkEpilogue(op, a.epilogue);
  for (const [n, p] of [["x", a.x], ["y", a.y], ["scratch", a.scratch], ["weights", dev.weights], ["bias", dev.bias], ["mult", dev.mult]] as const) checkPtr(op, n, p);
  return out;
}

/** General convolution: groups, kh x kw, strides, dilations, asymmetric pads. */
export function convgS8(k: Kernels, layer: PackedConvg, dev: DeviceParams, a: ConvgCall): void {
  const op = `convg_${layer.layout}_s8`;
  checkInt(op, "K", layer.K, 1, 8192);
  checkInt(op, "groups", layer.groups, 1, layer.C);
  if (layer.C % layer.groups !== 0 || layer.K % layer.groups !== 0) {
    fail("BAD_ARGUMENT", `${op}: groups: expected a divisor of C = ${layer.C} and K = ${layer.K}, found ${layer.groups}`);
  }
  checkConvgCall(op, a, layer.C, layer.kh, layer.kw, dev);
  const g = a.geometry, e = a.epilogue;
  const f = layer.layout === "nchw4" ? k.exports.convg_nchw4_s8 : k.exports.convg_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, dev.weights, dev.bias, dev.mult, layer.K, layer.groups, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw,
    g.padTop, g.padLeft, g.padBottom, g.padRight, e.xZero, e.yZero, e.lo, e.hi, a.y, a.scratch);
}

/** Depthwise convolution, K = C*M output channels. */
export function dwconvS8(k: Kernels, layer: PackedDwconv, dev: DeviceParams, a: ConvgCall): void {
  const op = `dwconv_${layer.layout}_s8`;
  checkInt(op, "M", layer.M, 1, 8192);
  checkInt(op, "K", layer.C * layer.M, 1, 8192);
  checkConvgCall(op, a, layer.C, layer.kh, layer.kw, dev);
  const g = a.geometry, e = a.epilogue;
  const f = layer.layout === "nchw4" ? k.exports.dwconv_nchw4_s8 : k.exports.dwconv_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, dev.weights, dev.bias, dev.mult, layer.M, g.kh, g.kw, g.sh, g.sw, g.dh, g.dw,
    g.padTop, g.padLeft, g.padBottom, g.padRight, e.xZero, e.yZero, e.lo, e.hi, a.y, a.scratch);
}

export interface Conv1x1Call {
  x: Ptr; N: number; C: number; H: number; W: number;
  /** xZero is unused: a 1x1 convolution at stride 1 has no padding taps. */
  epilogue: ConvEpilogue;
  y: Ptr;
}

/** Pointwise convolution (1x1, stride 1, no pads): a GEMM over pixels. */
export function conv1x1S8(k: Kernels, layer: PackedConv1x1, dev: DeviceParams, a: Conv1x1Call): void {
  const op = `conv1x1_${layer.layout}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  if (a.C !== layer.C) fail("BAD_ARGUMENT", `${op}: C: expected ${layer.C} (packed weights), found ${a.C}`);
  checkInt(op, "K", layer.K, 1, 8192);
  checkEpilogue(op, a.epilogue);
  for (const [n, p] of [["x", a.x], ["y", a.y], ["weights", dev.weights], ["bias", dev.bias], ["mult", dev.mult]] as const) checkPtr(op, n, p);
  const e = a.epilogue;
  const f = layer.layout === "nchw4" ? k.exports.conv1x1_nchw4_s8 : k.exports.conv1x1_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, dev.weights, dev.bias, dev.mult, layer.K, e.yZero, e.lo, e.hi, a.y);
}
