// Kernel microbenchmarks (benchmark.js, RELEASE wasm build): measured
// SIMD128 peaks (the loops of the production 4x2 tiles, generated from the
// same template: int16 x int16, int16 weights x int8 activations), then
// every int8 kernel and layout at LeNet's shapes,
// batch 1 and 32: time per call; the multiply-adds the kernel's inner loops
// really execute (padding lanes and rows included, the Winograd path at its
// reduced count) in GMAC/s as a share of the measured peak for the operands
// it really multiplies (conv: int16 x int16 from memory; fully connected:
// int16 weights x int8 activations widened on load, peak_s16s8); and the
// network's direct-convolution MACs per second ("useful") beside them.
// Reformatters in GB/s (bytes read + written). Where the engine runs relaxed
// SIMD exactly (Node 22+; Node 20 with --experimental-wasm-relaxed-simd
// --no-liftoff), the relaxed build's fully connected kernels too, against its
// own peak (peak_r8: int8 x int8 split into i7 parts).
// Run: node build/bench/kernels.js [filter]
import Benchmark from "benchmark";
import { relaxedModule, wasmModule } from "../src/runtime/wasm-source-node.js";
import { Kernels } from "../src/runtime/kernels.js";
import { chooseIsa } from "../src/runtime/isa.js";
import { Rng } from "../src/util/rng.js";
import { type Layout, LAYOUTS, blockedBytes } from "../src/int8/layout.js";
import { packConv, winoDepth, convRowBytes } from "../src/int8/pack-conv.js";
import { convPath } from "../src/int8/kernel-config.js";
import { ceilTo, lanesOf } from "../src/int8/layout.js";
import { packFc } from "../src/int8/pack-fc.js";
import { convS8, dequantizeFromS8, fcS8, poolS8, quantizeToS8, reblockS8, uploadFcParams, uploadParams } from "../src/int8/ops.js";
import { convScratchBytes } from "../src/int8/scratch.js";

const MAX_TIME = Number(process.env.OCTET_BENCH_SECONDS ?? 0.5);

/** Mean seconds per call, after an explicit warm-up so V8 tiers up first. */
export function timeIt(name: string, fn: () => void): number {
  for (let i = 0; i < 50; i++) fn();
  const start = performance.now();
  while (performance.now() - start < 100) fn();
  const b = new Benchmark(name, fn, { maxTime: MAX_TIME, minSamples: 10 });
  b.run();
  if (b.error) throw b.error;
  return b.stats.mean;
}

function fmtTime(s: number): string {
  return s >= 1e-3 ? `${(s * 1e3).toFixed(2)} ms` : `${(s * 1e6).toFixed(1)} us`;
}

function randomBytes(k: Kernels, p: number, n: number, rng: Rng): void {
  const a = k.arena.i8(p, n);
  for (let i = 0; i < n; i++) a[i] = Math.floor(rng.next() * 256) - 128;
}

function pad(s: string, n: number): string {
  return s.padEnd(n);
}

export interface PeakResult {
  /** int16 operands in memory (v128.load + dot_i16x8_s): tile4x2s16's loop, the conv paths. */
  gmacs16: number;
  /** int16 weights (v128.load), int8 activations (load8x8_s): tile4x2w16's loop, fully connected. */
  gmacsFc: number;
  /** The relaxed build's int8 x int8 (two relaxed dots per 16 elements): tile4x1r8's loop, its fully connected. */
  gmacsR8?: number;
}

/** The production 4x2 tiles' loops over L1-resident rows; each the best of
 *  three measurements, so a slow sample cannot flatter the kernels'
 *  percentages. */
export function measurePeak(k: Kernels): PeakResult {
  const K = 512, reps = 512;
  const w = k.arena.alloc(4 * K * 2), x = k.arena.alloc(2 * K * 2);
  const rng = new Rng(1);
  randomBytes(k, w, 4 * K * 2, rng);
  randomBytes(k, x, 2 * K * 2, rng);
  let sink = 0;
  const best = (f: (w: number, x: number, K: number, reps: number) => number) => {
    let t = Infinity;
    for (let i = 0; i < 3; i++) {
      t = Math.min(t, timeIt("peak", () => {
        sink ^= f(w, x, K, reps);
      }));
    }
    return (reps * 8 * K) / t / 1e9;
  };
  const e = k.exports;
  const r: PeakResult = { gmacs16: best(e.peak_s16), gmacsFc: best(e.peak_s16s8) };
  if (k.isa === "relaxed") r.gmacsR8 = best(e.peak_r8) / 2; // 4 * K MACs per rep, not 8 * K
  if (sink === 0x7fffffff) console.log("");
  return r;
}

/** Multiply-adds a kernel's inner loops execute, the network's direct count, and the operands they multiply. */
export interface Work {
  executed: number;
  useful: number;
  operands: "int16" | "mixed" | "int8";
}

/**
 * A ks x ks stride-1 convolution, C -> K channels, Ho x Wo outputs, on the
 * path the kernel config table gives (src/int8/kernel-config.ts): channels-in-lanes pairs
 * (K4 lanes x C x ceil(ks*ks/2) pairs of taps), Winograd F(2,5) (6 points x
 * K4 rows x winoDepth(C) per output column pair), or the gathered GEMM (K4
 * rows x Kp per pixel).
 */
export function convWork(N: number, C: number, K: number, ks: number, Ho: number, Wo: number, layout: Layout): Work {
  const K4 = ceilTo(K, 4), useful = N * K * C * ks * ks * Ho * Wo;
  const path = convPath(layout, C, ks, 1);
  if (path === "pairs") return { executed: N * K4 * C * 2 * Math.ceil((ks * ks) / 2) * Ho * Wo, useful, operands: "int16" };
  if (path === "winograd") return { executed: N * 6 * K4 * winoDepth(C) * Ho * Math.ceil(Wo / 2), useful, operands: "int16" };
  return { executed: N * K4 * convRowBytes(C, ks) * Ho * Wo, useful, operands: "int16" };
}

/** Fully connected over a C x H x W input: O4 rows x the layout's Kl = ceil(C/G)*G*H*W per image (src/int8/pack-fc.ts). */
export function fcWork(N: number, C: number, H: number, W: number, O: number, layout: Layout, k?: Kernels): Work {
  return { executed: N * ceilTo(O, 4) * ceilTo(C, lanesOf(layout)) * H * W, useful: N * O * C * H * W, operands: k?.isa === "relaxed" ? "int8" : "mixed" };
}

export function runKernelBench(filter = ""): void {
  benchBuild(Kernels.fromModule(wasmModule("release"), "release"), filter);
  let relaxed: WebAssembly.Module | undefined;
  try {
    relaxed = chooseIsa("relaxed", relaxedModule).module;
  } catch (e) {
    console.log(`relaxed SIMD build: not run (${(e as Error).message})`);
  }
  if (relaxed) {
    console.log("relaxed SIMD build (octet.relaxed.wasm): its fully connected kernels (the others are the SIMD128 build's code)");
    benchBuild(Kernels.fromModule(relaxed, "release"), filter, /^ip/);
  }
}

function benchBuild(k: Kernels, filter: string, only?: RegExp): void {
  if (k.exports.isDebugBuild()) throw new Error("benchmarks need the release build");
  const rng = new Rng(7);
  // The peaks are measured before and after the kernels and the higher taken, so a slow spell of this
  // shared machine during one measurement cannot flatter the kernels' shares.
  const before = measurePeak(k);
  const lines: (() => void)[] = [];
  const computeLine = (name: string, t: number, work: Work) => lines.push(() => {
    const g = work.executed / t / 1e9, useful = work.useful / t / 1e9;
    const operands = { int16: "int16 peak", mixed: "int16 x int8 peak", int8: "relaxed int8 peak" }[work.operands];
    console.log(`${pad(name, 28)} ${fmtTime(t).padStart(9)}  executed ${g.toFixed(1).padStart(5)} GMAC/s = ${pct(g, peakOf()[work.operands])}% of ${operands.padEnd(17)} useful ${useful.toFixed(1).padStart(5)} GMAC/s`);
  });
  const memLine = (name: string, t: number, bytes: number) => lines.push(() => {
    console.log(`${pad(name, 28)} ${fmtTime(t).padStart(9)}  ${(bytes / t / 1e9).toFixed(2).padStart(5)} GB/s`);
  });
  let peak = before;
  const peakOf = () => ({ int16: peak.gmacs16, mixed: peak.gmacsFc, int8: peak.gmacsR8 ?? NaN });
  const pct = (g: number, p: number) => Math.round((100 * g) / p).toString().padStart(3);
  const want = (name: string) => name.includes(filter) && (!only || only.test(name));

  for (const N of [1, 32]) {
    for (const layout of LAYOUTS) {
      const mark = k.arena.mark();
      const b = `${layout} b${N}`;
      const buf = (C: number, H: number, W: number) => {
        const bytes = blockedBytes(N, C, H, W, layout);
        const p = k.arena.alloc(bytes);
        // random real values; padding channels stay as the kernels leave them
        return { p, bytes };
      };
      const scratch = k.arena.alloc(Math.max(convScratchBytes(1, 5, convPath(layout, 1, 5, 1)), convScratchBytes(20, 5, convPath(layout, 20, 5, 1))));
      const xin = k.arena.allocF32(N * 28 * 28);
      const f = k.arena.f32(xin, N * 28 * 28);
      for (let i = 0; i < f.length; i++) f[i] = rng.next();
      const data = buf(1, 28, 28);
      const conv1 = buf(20, 24, 24), pool1 = buf(20, 12, 12), conv2 = buf(50, 8, 8), pool2 = buf(50, 4, 4);
      const ip1 = buf(500, 1, 1), ip2 = buf(10, 1, 1);
      const logits = k.arena.allocF32(N * 10);
      const other: Layout = layout === "nchw4" ? "nc32hw32" : "nchw4";
      const pool1Other = k.arena.alloc(blockedBytes(N, 20, 12, 12, other));
      const params = (K: number, depth: number) => {
        const w = new Int8Array(K * depth);
        for (let i = 0; i < w.length; i++) w[i] = Math.floor(rng.next() * 256) - 128;
        const bias = new Int32Array(K).map(() => Math.floor(rng.uniform(-5000, 5000)));
        const mult = new Float32Array(K).fill(60 / (Math.sqrt(depth) * 5500));
        return { w, bias, mult };
      };
      const c1 = params(20, 25), c2 = params(50, 500), f1 = params(500, 800), f2 = params(10, 500);
      const pc1 = packConv(c1.w, c1.bias, c1.mult, 20, 1, 5, layout, 1), dc1 = uploadParams(k, pc1);
      const pc2 = packConv(c2.w, c2.bias, c2.mult, 50, 20, 5, layout, 1), dc2 = uploadParams(k, pc2);
      const pf1 = packFc(f1.w, f1.bias, f1.mult, 500, 50, 4, 4, layout), df1 = uploadFcParams(k, pf1);
      const pf2 = packFc(f2.w, f2.bias, f2.mult, 10, 500, 1, 1, layout), df2 = uploadFcParams(k, pf2);
      const scale = Math.fround(1 / 127);

      const steps: [string, () => void, { macs?: Work; bytes?: number }][] = [
        ["input reformat", () => quantizeToS8(k, layout, scale, { x: xin, N, C: 1, H: 28, W: 28, y: data.p }), { bytes: N * 28 * 28 * 4 + data.bytes }],
        ["conv1", () => convS8(k, pc1, dc1, { x: data.p, N, C: 1, H: 28, W: 28, stride: 1, pad: 0, relu: false, y: conv1.p, scratch }), { macs: convWork(N, 1, 20, 5, 24, 24, layout) }],
        ["pool1", () => poolS8(k, "max", layout, { x: conv1.p, N, C: 20, H: 24, W: 24, window: 2, stride: 2, y: pool1.p }), { bytes: conv1.bytes + pool1.bytes }],
        ["avgpool1", () => poolS8(k, "avg", layout, { x: conv1.p, N, C: 20, H: 24, W: 24, window: 2, stride: 2, y: pool1.p }), { bytes: conv1.bytes + pool1.bytes }],
        ["conv2", () => convS8(k, pc2, dc2, { x: pool1.p, N, C: 20, H: 12, W: 12, stride: 1, pad: 0, relu: false, y: conv2.p, scratch }), { macs: convWork(N, 20, 50, 5, 8, 8, layout) }],
        ["pool2", () => poolS8(k, "max", layout, { x: conv2.p, N, C: 50, H: 8, W: 8, window: 2, stride: 2, y: pool2.p }), { bytes: conv2.bytes + pool2.bytes }],
        ["ip1+relu1", () => fcS8(k, pf1, df1, { x: pool2.p, N, relu: true, y: ip1.p }), { macs: fcWork(N, 50, 4, 4, 500, layout, k) }],
        ["ip2", () => fcS8(k, pf2, df2, { x: ip1.p, N, relu: false, y: ip2.p }), { macs: fcWork(N, 500, 1, 1, 10, layout, k) }],
        ["output reformat", () => dequantizeFromS8(k, layout, scale, { x: ip2.p, N, C: 10, H: 1, W: 1, y: logits }), { bytes: ip2.bytes + N * 40 }],
        [`pool1 to ${other}`, () => reblockS8(k, layout, other, { x: pool1.p, N, C: 20, H: 12, W: 12, y: pool1Other }), { bytes: pool1.bytes + blockedBytes(N, 20, 12, 12, other) }],
      ];
      // Run the network once so every buffer holds realistic values.
      for (const [, fn] of steps) fn();
      for (const [name, fn, work] of steps) {
        const label = `${name} ${b}`;
        if (!want(label)) continue;
        const t = timeIt(label, fn);
        if (work.macs !== undefined) computeLine(label, t, work.macs);
        else memLine(label, t, work.bytes!);
      }
      k.arena.release(mark);
    }
  }
  const after = measurePeak(k);
  peak = { gmacs16: Math.max(before.gmacs16, after.gmacs16), gmacsFc: Math.max(before.gmacsFc, after.gmacsFc) };
  if (before.gmacsR8 !== undefined) peak.gmacsR8 = Math.max(before.gmacsR8, after.gmacsR8!);
  const both = (key: keyof PeakResult) => `before the kernels ${before[key]!.toFixed(1)}, after ${after[key]!.toFixed(1)}`;
  console.log(`peak_s16   (tile4x2s16's loop: v128.load both, dot_i16x8_s; L1)      ${peak.gmacs16.toFixed(1)} GMAC/s (${both("gmacs16")})`);
  console.log(`peak_s16s8 (tile4x2w16's loop: v128.load w, load8x8_s x; L1)     ${peak.gmacsFc.toFixed(1)} GMAC/s (${both("gmacsFc")})`);
  if (peak.gmacsR8 !== undefined) console.log(`peak_r8    (tile4x1r8's loop: v128.load w and x, 2 relaxed dots; L1)  ${peak.gmacsR8.toFixed(1)} GMAC/s (${both("gmacsR8")})`);
  console.log("kernels: executed multiply-adds (padding included, Winograd at its reduced count) against the higher peak of the operands they multiply:");
  for (const line of lines) line();
}

const isMain = import.meta.url === `file://${process.argv[1]}`;
if (isMain) runKernelBench(process.argv[2] ?? "");
