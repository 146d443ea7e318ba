// The kernel ABI: what a plan's packed parameters and the DLA command words
// mean to the kernels. A plan records the hash of this description; a plan
// packed for another description is refused, and the wasm build must report
// the same hash (assembly/abi.ts), so host and kernels agree. Change the
// description (and assembly/abi.ts's KERNEL_ABI) whenever a packing or a
// kernel signature changes.
import { crc32 } from "../util/crc32.js";

export const KERNEL_ABI_DESCRIPTION = [
  "conv-s8: arguments x, N, C, H, W, weights, bias, mult, K, kernel, stride, pad, y, relu, scratch, path (0 gather, 1 pairs, 2 Winograd: the host's kernel config table, src/int8/kernel-config.ts); gather: int16 rows [ceil(K/4)*4][ceil(C*k*k/8)*8] in gather order (channel block, ky, kx, lane); Winograd (5x5, stride 1, 25C <= 5460): those rows, then F(2,5) U[6][K4][ceil(5*C4/8)*8] int16",
  "conv-s8 pairs: int16 pairs [C*ceil(k*k/2)][K4][2] (vertical then odd-row horizontal)",
  "fc-s8: int16 rows [ceil(O/4)*4][ceil(C/G)*G*H*W] in the input layout's byte order; arguments x, N, C, H, W, weights, bias, mult, O, yZero, lo, hi, y (the conv family's epilogue)",
  "relaxed SIMD: a build whose isRelaxedBuild() is 1 takes fc-s8 weights as int8 rows [ceil(O/4)*4][ceil(C/G)*G*H*W], the same values one byte each; relaxed_dot_probe(a, b, c, out) and peak_r8(w, x, K, reps) in every build (0 without relaxed SIMD)",
  "bias int32 and requantization multiplier f32 per output channel, padded to a multiple of 4 with zeros",
  "dla: 32 int32 words per command: the kernel (1-based index in DLA_KERNELS of src/engine/kernel-call.ts), the layer it ends (index + 1, or 0), then the kernel's arguments in order (f32 as bits; N unused; relu bytes per image); words 28..31 two per-image pointers (argument index + 1, or 0) and their strides; kernel 0 runs nothing and only ends a layer",
  "conv family (issue 15): convg-s8 int16 [groups][ceil(Kg/4)*4][ceil(Cg*kh*kw/8)*8] (per in-block channel run: ky, kx, channel), bias/mult [groups][Kg4]; dwconv-s8 int16 [ceil(C*M/4)][floor(kh/2)*kw + (kh%2)*ceil(kw/2) pairs: vertical then odd-row horizontal][4][2]; conv1x1-s8 int16 [K4][ceil(C/G)*G]; epilogue clamp(round(acc*m) + yZero, lo, hi), pad taps xZero",
  "reformatters: quantize q = clamp(nearest(x / s) + z, -128, 127), NaN -> z; dequantize f32(q - z) * s; z the int8-stored zero point, an argument after the scale",
  "softmax-s8: table int32 [256] T[d] = round(2^20 exp(-s d)); output uint8 at 1/256 stored as int8 q - 128",
  "eltwise/pool (issue 15): prelu-s8 negative-side multipliers f32(slope*sx/sy) and scale-shift-s8 multipliers f32(a*sx/sy) then offsets f32(b/sy): f32 [ceil(C/G)*G], zero past C; lut-s8 table int8 [256] at x + 128",
].join("\n");

export const KERNEL_ABI = crc32(new TextEncoder().encode(KERNEL_ABI_DESCRIPTION));
