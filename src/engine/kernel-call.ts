// A lowered INT8 layer is a list of kernel calls: an export of the wasm
// module and its arguments, all fixed at build time but the batch size. The
// GPU device runs them as wasm calls; the DLA device encodes them into the
// command program its engine walks in one call (assembly/engine/dla-engine.ts).
import type { KernelExports } from "../runtime/kernels.js";
import { fail } from "../errors.js";

export type KernelName = {
  [K in keyof KernelExports]: KernelExports[K] extends (...args: number[]) => unknown ? K : never
}[keyof KernelExports];

export interface KernelCall {
  fn: KernelName;
  args: number[];
  /** Index of the batch argument N, or -1. */
  batch: number;
  /** Index of an argument given per image and multiplied by N (relu_s8's byte count). */
  perImage?: number;
  /** Indexes of f32 arguments (encoded as their bits in a DLA command). */
  floats?: number[];
  /**
   * Run once per image (N = 1), each listed pointer argument stepping by its
   * bytes per image: a producer writing its slice of a concat buffer
   * (concat-slices.ts). At most two pointers.
   */
  perImageCall?: [argument: number, stride: number][];
}

/** Per-image pointer arguments (input, output) of the kernels that can write a concat slice, by argument index. */
export const IMAGE_POINTERS: Partial<Record<KernelName, readonly [number, number]>> = Object.fromEntries(
  (["nchw4", "nc32hw32"] as const).flatMap((L) => [
    [`conv_${L}_s8`, [0, 12]], [`conv1x1_${L}_s8`, [0, 12]], [`dwconv_${L}_s8`, [0, 23]], [`convg_${L}_s8`, [0, 24]],
    [`fc_${L}_s8`, [0, 12]], [`maxpool_${L}_s8`, [0, 7]], [`avgpool_${L}_s8`, [0, 7]], [`pool2d_${L}_s8`, [0, 19]],
    [`gap_${L}_s8`, [0, 8]], [`lut_${L}_s8`, [0, 6]], [`scale_shift_${L}_s8`, [0, 11]], [`prelu_${L}_s8`, [0, 9]],
    [`pad_constant_${L}_s8`, [0, 10]], [`resize_nearest_${L}_s8`, [0, 7]],
  ]),
);

/**
 * The calls of a layer whose output y is a slice of a concat buffer: each
 * runs per image, y stepping by yStride and the input (or y itself, for a
 * table applied in place) by its own stride.
 */
export function perImageCalls(calls: KernelCall[], x: number, xStride: number, y: number, yStride: number): KernelCall[] {
  return calls.map((c) => {
    const pointers = IMAGE_POINTERS[c.fn];
    if (!pointers || c.batch !== 1) return fail("BAD_ARGUMENT", `plan: ${c.fn} cannot write a concat slice`);
    const strides = pointers.map((i): [number, number] => {
      const p = c.args[i]!;
      if (p === y) return [i, yStride];
      if (p === x) return [i, xStride];
      return fail("BAD_ARGUMENT", `plan: ${c.fn} argument ${i} is neither the layer's input nor its output`);
    });
    return { ...c, perImageCall: strides };
  });
}

export function runCalls(e: KernelExports, calls: KernelCall[]): (n: number) => void {
  const prepared = calls.map((c) => ({
    f: e[c.fn] as unknown as (...a: number[]) => void,
    args: c.args.slice(),
    batch: c.batch,
    perImage: c.perImage ?? -1,
    base: c.perImage === undefined ? 0 : c.args[c.perImage]!,
  }));
  if (calls.some((c) => c.perImageCall)) {
    const loops = calls.map((c, i) => {
      const p = prepared[i]!;
      const strides = c.perImageCall ?? [];
      const starts = strides.map(([a]) => c.args[a]!);
      if (strides.length > 0) p.args[p.batch] = 1;
      return (n: number) => {
        if (strides.length === 0) {
          if (p.batch >= 0) p.args[p.batch] = n;
          if (p.perImage >= 0) p.args[p.perImage] = p.base * n;
          Reflect.apply(p.f, undefined, p.args);
          return;
        }
        for (let image = 0; image < n; image++) {
          for (let s = 0; s < strides.length; s++) p.args[strides[s]![0]] = starts[s]! + image * strides[s]![1];
          Reflect.apply(p.f, undefined, p.args);
        }
      };
    });
    return (n) => { for (let i = 0; i < loops.length; i++) loops[i]!(n); };
  }
  if (prepared.length === 1) {
    const p = prepared[0]!;
    return (n) => {
      if (p.batch >= 0) p.args[p.batch] = n;
      if (p.perImage >= 0) p.args[p.perImage] = p.base * n;
      Reflect.apply(p.f, undefined, p.args);
    };
  }
  return (n) => {
    for (let i = 0; i < prepared.length; i++) {
      const p = prepared[i]!;
      if (p.batch >= 0) p.args[p.batch] = n;
      if (p.perImage >= 0) p.args[p.perImage] = p.base * n;
      Reflect.apply(p.f, undefined, p.args);
    }
  };
}

/** The DLA engine's kernels, by command id (the engine's switch uses the same numbers). */
export const DLA_KERNELS: readonly KernelName[] = [
  "conv_nc32hw32_s8", "maxpool_nc32hw32_s8", "avgpool_nc32hw32_s8", "fc_nc32hw32_s8", "relu_s8",
  "convg_nc32hw32_s8", "dwconv_nc32hw32_s8", "conv1x1_nc32hw32_s8", "add_s8", "sub_s8", "mul_s8",
  "concat_channels_nc32hw32_s8", "lut_nc32hw32_s8", "scale_shift_nc32hw32_s8", "pool2d_nc32hw32_s8", "gap_nc32hw32_s8",
  "prelu_nc32hw32_s8", "pad_constant_nc32hw32_s8", "resize_nearest_nc32hw32_s8",
];

export const DLA_COMMAND_WORDS = 32;
/** Words 28..31 of a command: per-image pointer (argument index + 1, or 0) and its stride, twice. */
const DLA_IMAGE_WORDS = 28;

/** A command that runs no kernel and only ends a layer (a concat whose inputs were all written in place). */
export function dlaLayerEnd(endsLayer: number): Int32Array {
  const words = new Int32Array(DLA_COMMAND_WORDS);
  words[1] = endsLayer;
  return words;
}

/** One command's words: kernel id, the layer it ends (index + 1, or 0), the arguments, the per-image pointers. */
export function encodeDlaCommand(call: KernelCall, endsLayer: number): Int32Array {
  const id = DLA_KERNELS.indexOf(call.fn) + 1;
  if (id === 0) fail("BAD_ARGUMENT", `plan: the DLA engine has no command for ${call.fn}`);
  if (call.args.length + 2 > DLA_IMAGE_WORDS) fail("BAD_ARGUMENT", `plan: ${call.fn} takes ${call.args.length} arguments, a DLA command holds ${DLA_IMAGE_WORDS - 2}`);
  if ((call.perImageCall?.length ?? 0) > 2) fail("BAD_ARGUMENT", `plan: ${call.fn} steps ${call.perImageCall!.length} pointers per image, a DLA command holds 2`);
  const words = new Int32Array(DLA_COMMAND_WORDS);
  const asFloat = new Float32Array(words.buffer);
  words[0] = id;
  words[1] = endsLayer;
  call.args.forEach((v, i) => {
    if (call.floats?.includes(i)) asFloat[i + 2] = v;
    else words[i + 2] = v;
  });
  call.perImageCall?.forEach(([argument, stride], j) => {
    words[DLA_IMAGE_WORDS + 2 * j] = argument + 1;
    words[DLA_IMAGE_WORDS + 2 * j + 1] = stride;
  });
  return words;
}
