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
}

export function runCalls(e: KernelExports, calls: KernelCall[]): (n: number) => void {
  const prepared = calls.map((c) => ({
    f: e[c.fn] as unknown as (...a: number[]) => void,
    args: c.args.slice(),
    batch: c.batch,
    perImage: c.perImage ?? -1,
    base: c.perImage === undefined ? 0 : c.args[c.perImage]!,
  }));
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

/** One command's words: kernel id, the layer it ends (index + 1, or 0), the arguments. */
export function encodeDlaCommand(call: KernelCall, endsLayer: number): Int32Array {
  const id = DLA_KERNELS.indexOf(call.fn) + 1;
  if (id === 0) fail("BAD_ARGUMENT", `plan: the DLA engine has no command for ${call.fn}`);
  if (call.args.length + 2 > DLA_COMMAND_WORDS) fail("BAD_ARGUMENT", `plan: ${call.fn} takes ${call.args.length} arguments, a DLA command holds ${DLA_COMMAND_WORDS - 2}`);
  const words = new Int32Array(DLA_COMMAND_WORDS);
  const asFloat = new Float32Array(words.buffer);
  words[0] = id;
  words[1] = endsLayer;
  call.args.forEach((v, i) => {
    if (call.floats?.includes(i)) asFloat[i + 2] = v;
    else words[i + 2] = v;
  });
  return words;
}
