// The one typed boundary between TypeScript and the wasm kernels. Everything
// that calls into wasm goes through a `Kernels` object: it owns one instance
// (one "device memory"), its arena, and the typed export table.
import { instantiateSync } from "@assemblyscript/loader";
import { Arena } from "./arena.js";
import { OctetError, fail } from "../errors.js";
import { KERNEL_ABI } from "./kernel-abi.js";
import type { Isa } from "./isa.js";

type Ptr = number;

/** Typed view of assembly/index.ts's exports. Names follow op-layout-dtype. */
export interface KernelExports {
  memory: WebAssembly.Memory;
  setArena(lo: Ptr, hi: Ptr): void;
  heapBase(): Ptr;
  isDebugBuild(): number;
  kernelAbi(): number;
  /** 1 in octet.relaxed.wasm, whose fully connected kernels take int8 weight rows (src/runtime/isa.ts). */
  isRelaxedBuild(): number;
  /** relaxed_dot_i8x16_i7x16_add_s(a, b, c) stored at out; 0 (nothing stored) in a SIMD128 build. */
  relaxed_dot_probe(a: Ptr, b: Ptr, c: Ptr, out: Ptr): number;
  gemm_nn_f32(M: number, N: number, K: number, a: Ptr, rsA: number, csA: number, b: Ptr, ldb: number, c: Ptr, ldc: number, accumulate: number): void;
  gemm_nt_f32(M: number, N: number, K: number, a: Ptr, lda: number, b: Ptr, ldb: number, c: Ptr, ldc: number, accumulate: number): void;
  im2col_f32(x: Ptr, C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, Ho: number, Wo: number, col: Ptr): void;
  col2im_f32(col: Ptr, C: number, H: number, W: number, kh: number, kw: number, stride: number, pad: number, Ho: number, Wo: number, dx: Ptr): void;
  conv_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, K: number, kh: number, kw: number, stride: number, pad: number, y: Ptr, relu: number, scratch: Ptr): void;
  relu_f32(x: Ptr, count: number): void;
  maxpool_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, window: number, stride: number, y: Ptr, argmax: Ptr): void;
  avgpool_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, window: number, stride: number, y: Ptr): void;
  fc_f32(x: Ptr, N: number, I: number, weights: Ptr, bias: Ptr, O: number, y: Ptr, relu: number): void;
  softmax_f32(x: Ptr, N: number, C: number, y: Ptr): void;
  maxpool_backward_f32(dy: Ptr, argmax: Ptr, planes: number, outPerPlane: number, inPerPlane: number, dx: Ptr): void;
  relu_backward_f32(y: Ptr, dy: Ptr, count: number): void;
  bias_grad_f32(dy: Ptr, N: number, K: number, P: number, db: Ptr): void;
  softmax_xent_f32(logits: Ptr, labels: Ptr, N: number, C: number, dlogits: Ptr): number;
  sgd_momentum_f32(w: Ptr, g: Ptr, v: Ptr, count: number, lr: number, momentum: number, decay: number): void;
  /** path: CONV_PATH_CODE of the kernel config table (src/int8/kernel-config.ts). */
  conv_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, K: number, kernel: number, stride: number, pad: number, y: Ptr, relu: number, scratch: Ptr, path: number): void;
  conv_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, K: number, kernel: number, stride: number, pad: number, y: Ptr, relu: number, scratch: Ptr, path: number): void;
  fc_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, O: number, yZero: number, lo: number, hi: number, y: Ptr): void;
  fc_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, O: number, yZero: number, lo: number, hi: number, y: Ptr): void;
  maxpool_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, window: number, stride: number, y: Ptr): void;
  avgpool_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, window: number, stride: number, y: Ptr): void;
  maxpool_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, window: number, stride: number, y: Ptr): void;
  avgpool_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, window: number, stride: number, y: Ptr): void;
  reformat_nchw_f32_to_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, scale: number, zero: number, y: Ptr): void;
  reformat_nchw_f32_to_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, scale: number, zero: number, y: Ptr): void;
  reformat_nchw4_s8_to_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, scale: number, zero: number, y: Ptr): void;
  reformat_nc32hw32_s8_to_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, scale: number, zero: number, y: Ptr): void;
  reformat_nchw4_s8_to_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, y: Ptr): void;
  reformat_nc32hw32_s8_to_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, y: Ptr): void;
  /** The bench's peak microkernels: the loops of tile4x2s16 and tile4x2w16 (assembly/int8/gen/peak-s8.ts). */
  peak_s16(w: Ptr, x: Ptr, K: number, reps: number): number;
  peak_s16s8(w: Ptr, x: Ptr, K: number, reps: number): number;
  /** The relaxed build's fully connected loop (tile4x1r8's, reps * 4 * K MACs); 0 in a SIMD128 build. */
  peak_r8(w: Ptr, x: Ptr, K: number, reps: number): number;
  relu_s8(x: Ptr, y: Ptr, bytes: number): void;
  dla_execute(program: Ptr, count: number, N: number, profile: number): number;
  // conv family (issue 15)
  convg_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, K: number, groups: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number, padBottom: number, padRight: number, xZero: number, yZero: number, lo: number, hi: number, y: Ptr, scratch: Ptr): void;
  convg_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, K: number, groups: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number, padBottom: number, padRight: number, xZero: number, yZero: number, lo: number, hi: number, y: Ptr, scratch: Ptr): void;
  dwconv_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, M: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number, padBottom: number, padRight: number, xZero: number, yZero: number, lo: number, hi: number, y: Ptr, scratch: Ptr): void;
  dwconv_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, M: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number, padBottom: number, padRight: number, xZero: number, yZero: number, lo: number, hi: number, y: Ptr, scratch: Ptr): void;
  conv1x1_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, K: number, yZero: number, lo: number, hi: number, y: Ptr): void;
  conv1x1_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, mult: Ptr, K: number, yZero: number, lo: number, hi: number, y: Ptr): void;
  convg_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, weights: Ptr, bias: Ptr, K: number, groups: number, kh: number, kw: number, sh: number, sw: number, dh: number, dw: number, padTop: number, padLeft: number, padBottom: number, padRight: number, lo: number, hi: number, y: Ptr, scratch: Ptr): void;
  // elementwise, concat, activations, pooling (issue 15)
  add_s8(a: Ptr, b: Ptr, N: number, C: number, H: number, W: number, G: number, broadcast: number, ma: number, za: number, mb: number, zb: number, zy: number, lo: number, hi: number, y: Ptr): void;
  sub_s8(a: Ptr, b: Ptr, N: number, C: number, H: number, W: number, G: number, broadcast: number, ma: number, za: number, mb: number, zb: number, zy: number, lo: number, hi: number, y: Ptr): void;
  mul_s8(a: Ptr, b: Ptr, N: number, C: number, H: number, W: number, G: number, broadcast: number, m: number, za: number, zb: number, zy: number, lo: number, hi: number, y: Ptr): void;
  concat_channels_nchw4_s8(x: Ptr, N: number, Ci: number, H: number, W: number, y: Ptr, Ctotal: number, at: number, m: number, zx: number, zy: number): void;
  concat_channels_nc32hw32_s8(x: Ptr, N: number, Ci: number, H: number, W: number, y: Ptr, Ctotal: number, at: number, m: number, zx: number, zy: number): void;
  lut_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, table: Ptr, y: Ptr): void;
  softmax_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, table: Ptr, y: Ptr): void;
  softmax_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, table: Ptr, y: Ptr): void;
  lut_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, table: Ptr, y: Ptr): void;
  prelu_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, mPos: number, mNeg: Ptr, zx: number, zy: number, y: Ptr): void;
  prelu_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, mPos: number, mNeg: Ptr, zx: number, zy: number, y: Ptr): void;
  scale_shift_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, mult: Ptr, offset: Ptr, zx: number, zy: number, lo: number, hi: number, y: Ptr): void;
  scale_shift_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, mult: Ptr, offset: Ptr, zx: number, zy: number, lo: number, hi: number, y: Ptr): void;
  pool2d_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number, padBottom: number, padRight: number, ceilMode: number, method: number, countIncludePad: number, ratio: number, zx: number, zy: number, y: Ptr): void;
  pool2d_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number, padBottom: number, padRight: number, ceilMode: number, method: number, countIncludePad: number, ratio: number, zx: number, zy: number, y: Ptr): void;
  gap_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, ratio: number, zx: number, zy: number, y: Ptr): void;
  gap_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, ratio: number, zx: number, zy: number, y: Ptr): void;
  pad_constant_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, top: number, left: number, bottom: number, right: number, value: number, y: Ptr): void;
  pad_constant_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, top: number, left: number, bottom: number, right: number, value: number, y: Ptr): void;
  resize_nearest_nchw4_s8(x: Ptr, N: number, C: number, H: number, W: number, fh: number, fw: number, y: Ptr): void;
  resize_nearest_nc32hw32_s8(x: Ptr, N: number, C: number, H: number, W: number, fh: number, fw: number, y: Ptr): void;
  add_nchw_f32(a: Ptr, b: Ptr, N: number, C: number, H: number, W: number, broadcast: number, y: Ptr): void;
  sub_nchw_f32(a: Ptr, b: Ptr, N: number, C: number, H: number, W: number, broadcast: number, y: Ptr): void;
  mul_nchw_f32(a: Ptr, b: Ptr, N: number, C: number, H: number, W: number, broadcast: number, y: Ptr): void;
  sigmoid_f32(x: Ptr, y: Ptr, count: number): void;
  tanh_f32(x: Ptr, y: Ptr, count: number): void;
  hardsigmoid_f32(x: Ptr, y: Ptr, count: number, alpha: number, beta: number): void;
  hardswish_f32(x: Ptr, y: Ptr, count: number): void;
  leakyrelu_f32(x: Ptr, y: Ptr, count: number, alpha: number): void;
  clip_f32(x: Ptr, y: Ptr, count: number, lo: number, hi: number): void;
  prelu_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, slope: Ptr, y: Ptr): void;
  scale_shift_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, a: Ptr, b: Ptr, y: Ptr): void;
  pool2d_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, kh: number, kw: number, sh: number, sw: number, padTop: number, padLeft: number, padBottom: number, padRight: number, ceilMode: number, method: number, countIncludePad: number, y: Ptr): void;
  gap_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, y: Ptr): void;
  concat_channels_nchw_f32(x: Ptr, N: number, Ci: number, H: number, W: number, y: Ptr, Ctotal: number, at: number): void;
  pad_constant_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, top: number, left: number, bottom: number, right: number, value: number, y: Ptr): void;
  resize_nearest_nchw_f32(x: Ptr, N: number, C: number, H: number, W: number, fh: number, fw: number, y: Ptr): void;
}

export type BuildFlavor = "release" | "debug";

/** Pages the threads build's shared memory may grow to (asconfig.json's threads target: 2 GiB). */
export const SHARED_MEMORY_MAX_PAGES = 32768;
/** Pages the builds start with (asconfig.json's initialMemory). */
export const INITIAL_MEMORY_PAGES = 2;

/** A memory for the threads build, shared by every thread's instance of one device. */
export function sharedMemory(): WebAssembly.Memory {
  return new WebAssembly.Memory({ initial: INITIAL_MEMORY_PAGES, maximum: SHARED_MEMORY_MAX_PAGES, shared: true });
}

export class Kernels {
  readonly exports: KernelExports;
  readonly arena: Arena;
  readonly flavor: BuildFlavor;
  /** The instruction set of the build: the relaxed build packs fully connected weights as int8 (lower-int8.ts). */
  readonly isa: Isa;
  /** Called by the DLA engine after each command when profiling (see dla-engine.ts). */
  onDlaLayerDone: (command: number) => void = () => {};

  private constructor(exports: KernelExports, flavor: BuildFlavor) {
    this.exports = exports;
    this.flavor = flavor;
    this.isa = exports.isRelaxedBuild() ? "relaxed" : "simd128";
    this.arena = new Arena(exports.memory, exports.heapBase(), (lo, hi) => exports.setArena(lo, hi));
  }

  /**
   * Instantiates a compiled module (see wasm-source-node.ts for Node). The
   * threads build (octet.threads.wasm) imports its memory: `memory` is then
   * a shared WebAssembly.Memory that other threads' instances also use.
   */
  static fromModule(module: WebAssembly.Module, flavor: BuildFlavor, memory?: WebAssembly.Memory): Kernels {
    // eslint-disable-next-line prefer-const
    let kernels: Kernels;
    const imports: Record<string, Record<string, unknown>> = {
      env: {
        octetDlaLayerDone(command: number): void {
          kernels.onDlaLayerDone(command);
        },
        ...(memory ? { memory } : {}),
        octetBoundsViolation(ptr: number, bytes: number, lo: number, hi: number): void {
          throw new OctetError(
            "OUT_OF_BOUNDS",
            `kernel accessed ${bytes} bytes at ${ptr}, outside the arena [${lo}, ${hi})`,
          );
        },
      },
    };
    const wantsMemory = WebAssembly.Module.imports(module).some((i) => i.kind === "memory");
    if (wantsMemory !== Boolean(memory)) {
      fail("WASM_UNSUPPORTED", wantsMemory ? "the threads wasm build imports a shared memory; none was given" : "a shared memory was given to a wasm build that has its own memory");
    }
    const { instance } = instantiateSync(module, imports as Parameters<typeof instantiateSync>[1]);
    const exports = instance.exports as unknown as KernelExports;
    if (Boolean(exports.isDebugBuild()) !== (flavor === "debug")) {
      fail("WASM_UNSUPPORTED", `expected the ${flavor} wasm build, got the other one`);
    }
    const abi = exports.kernelAbi() >>> 0;
    if (abi !== KERNEL_ABI) {
      fail("WASM_UNSUPPORTED", `the wasm build implements kernel ABI 0x${abi.toString(16)}, this host expects 0x${KERNEL_ABI.toString(16)}; rebuild the wasm (npm run build:wasm)`);
    }
    kernels = new Kernels(exports, flavor);
    return kernels;
  }
}

/**
 * Compiles the wasm once and returns a factory giving each device its own
 * instance (its own memory), as ExecutionContext needs.
 */
export async function kernelFactory(source: BufferSource | WebAssembly.Module, flavor: BuildFlavor = "release"): Promise<(device: string) => Kernels> {
  assertWasmFeatures();
  const module = source instanceof WebAssembly.Module ? source : await WebAssembly.compile(source);
  return () => Kernels.fromModule(module, flavor);
}

// The smallest module using a v128 instruction: (func (result v128) v128.const 0).
const SIMD_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12,
  0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
]);

let featuresChecked = false;

/** Feature detection at start-up: octet's kernels need WebAssembly SIMD128. */
export function assertWasmFeatures(): void {
  if (featuresChecked) return;
  if (typeof WebAssembly !== "object") fail("WASM_UNSUPPORTED", "this runtime has no WebAssembly");
  if (!WebAssembly.validate(SIMD_PROBE)) {
    fail("WASM_UNSUPPORTED", "this runtime lacks WebAssembly SIMD128, which octet's kernels require");
  }
  featuresChecked = true;
}
