// Each FP32 wasm kernel (debug build, bounds-checked) against its plain-loop
// reference on odd shapes.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { convRef, poolRef, maxPoolArgmaxRef, fcRef, softmaxRef, matmulRef } from "../../src/reference/fp32-reference.js";
import { randomF32, assertClose, expectOctetError } from "../helpers.js";

const k = loadKernels("debug");
const arena = k.arena;
const put = (a: Float32Array) => {
  const p = arena.allocF32(a.length);
  arena.f32(p, a.length).set(a);
  return p;
};

test("gemm_nn_f32 and gemm_nt_f32 match the reference on odd shapes", () => {
  for (const [M, N, K] of [[1, 1, 1], [3, 7, 5], [4, 8, 9], [5, 17, 3], [9, 33, 20]] as const) {
    const mark = arena.mark();
    const A = randomF32(M * K, M * 31 + N), B = randomF32(K * N, K * 7 + 1);
    const ref = matmulRef(A, B, M, N, K);
    const a = put(A), b = put(B), c = arena.allocF32(M * N);
    k.exports.gemm_nn_f32(M, N, K, a, K, 1, b, N, c, N, 0);
    assertClose(arena.f32(c, M * N), ref, `gemm_nn ${M}x${N}x${K}`);
    // A·B via gemm_nt with Bᵀ stored row-major.
    const Bt = new Float32Array(N * K);
    for (let i = 0; i < K; i++) for (let j = 0; j < N; j++) Bt[j * K + i] = B[i * N + j]!;
    const bt = put(Bt);
    k.exports.gemm_nt_f32(M, N, K, a, K, bt, K, c, N, 0);
    assertClose(arena.f32(c, M * N), ref, `gemm_nt ${M}x${N}x${K}`);
    // Transposed A through strides, accumulating onto the previous result.
    const At = new Float32Array(K * M);
    for (let i = 0; i < M; i++) for (let j = 0; j < K; j++) At[j * M + i] = A[i * K + j]!;
    k.exports.gemm_nn_f32(M, N, K, put(At), 1, M, b, N, c, N, 1);
    assertClose(arena.f32(c, M * N), ref.map((v) => 2 * v), `gemm_nn transposed A ${M}x${N}x${K}`);
    arena.release(mark);
  }
});

test("conv_nchw_f32 matches the reference", () => {
  for (const [N, C, H, W, K, ks, s, p] of [
    [1, 1, 28, 28, 20, 5, 1, 0], [3, 3, 9, 7, 5, 3, 2, 1], [2, 20, 12, 12, 50, 5, 1, 0], [1, 5, 5, 11, 4, 1, 1, 0], [1, 2, 6, 6, 3, 3, 2, 2],
    // Pixel panels of 8 that straddle output rows, padded borders on the
    // one-row fast path, a partial last panel, channel counts off the 4-row
    // blocking, a single output pixel.
    [2, 3, 10, 13, 7, 3, 1, 1], [1, 2, 9, 17, 6, 5, 1, 2], [2, 4, 8, 8, 9, 2, 1, 0], [1, 3, 5, 5, 3, 5, 1, 0],
    // Too few pixels to hold repacked weights in the scratch: unpacked 4-channel blocks.
    [2, 8, 6, 6, 16, 3, 1, 0], [1, 6, 4, 6, 11, 1, 1, 0],
  ] as const) {
    const mark = arena.mark();
    const Ho = Math.floor((H + 2 * p - ks) / s) + 1, Wo = Math.floor((W + 2 * p - ks) / s) + 1;
    const x = randomF32(N * C * H * W, 1), w = randomF32(K * C * ks * ks, 2), b = randomF32(K, 3);
    const y = arena.allocF32(N * K * Ho * Wo), scratch = arena.allocF32(C * ks * ks * Ho * Wo);
    for (const relu of [0, 1]) {
      k.exports.conv_nchw_f32(put(x), N, C, H, W, put(w), put(b), K, ks, ks, s, p, y, relu, scratch);
      assertClose(arena.f32(y, N * K * Ho * Wo), convRef(x, N, C, H, W, w, b, K, ks, s, p, relu === 1), `conv ${[N, C, H, W, K, ks, s, p]}`);
    }
    arena.release(mark);
  }
});

test("max and average pooling match the reference", () => {
  for (const [N, C, H, W, win, s] of [
    [1, 20, 24, 24, 2, 2], [3, 5, 7, 9, 3, 2], [2, 1, 5, 5, 1, 1], [1, 3, 8, 8, 8, 16],
    // 2x2/2 (the SIMD path) with odd sizes and output widths off the 4-lane step.
    [2, 3, 11, 13, 2, 2], [1, 2, 4, 18, 2, 2], [1, 1, 2, 2, 2, 2], [1, 50, 8, 8, 2, 2],
  ] as const) {
    const mark = arena.mark();
    const Ho = Math.floor((H - win) / s) + 1, Wo = Math.floor((W - win) / s) + 1;
    const x = randomF32(N * C * H * W, 9);
    const y = arena.allocF32(N * C * Ho * Wo);
    const px = put(x);
    k.exports.maxpool_nchw_f32(px, N, C, H, W, win, s, y, 0);
    const ref = poolRef(x, N, C, H, W, win, s, "max");
    assertClose(arena.f32(y, N * C * Ho * Wo), ref, `maxpool ${[N, C, H, W, win, s]}`);
    // With argmax (training) the general scalar loop runs: same values, and
    // the index of the first maximum in window scan order.
    const y2 = arena.allocF32(N * C * Ho * Wo), at = arena.allocI32(N * C * Ho * Wo);
    k.exports.maxpool_nchw_f32(px, N, C, H, W, win, s, y2, at);
    assert.equal(Array.from(arena.f32(y2, N * C * Ho * Wo)), Array.from(arena.f32(y, N * C * Ho * Wo)), `maxpool with argmax ${[N, C, H, W, win, s]}`);
    assert.equal(Array.from(arena.i32(at, N * C * Ho * Wo)), Array.from(maxPoolArgmaxRef(x, N, C, H, W, win, s)), `argmax ${[N, C, H, W, win, s]}`);
    k.exports.avgpool_nchw_f32(put(x), N, C, H, W, win, s, y);
    assertClose(arena.f32(y, N * C * Ho * Wo), poolRef(x, N, C, H, W, win, s, "average"), `avgpool ${[N, C, H, W, win, s]}`);
    arena.release(mark);
  }
});

test("fc_f32 (with and without ReLU), relu_f32 and softmax_f32 match the reference", () => {
  for (const [N, I, O] of [[1, 800, 500], [3, 13, 7], [5, 500, 10], [2, 3, 1], [32, 800, 500], [4, 6, 9], [1, 5, 4], [1, 16, 7], [1, 12, 10], [1, 3, 2]] as const) {
    const mark = arena.mark();
    const x = randomF32(N * I, 4), w = randomF32(O * I, 5, -0.1, 0.1), b = randomF32(O, 6);
    const y = arena.allocF32(N * O);
    for (const relu of [0, 1]) {
      k.exports.fc_f32(put(x), N, I, put(w), put(b), O, y, relu);
      assertClose(arena.f32(y, N * O), fcRef(x, N, I, w, b, O, relu === 1), `fc ${[N, I, O]} relu=${relu}`);
    }
    const logits = randomF32(N * O, 7, -20, 20);
    k.exports.softmax_f32(put(logits), N, O, y);
    assertClose(arena.f32(y, N * O), softmaxRef(logits, N, O), `softmax ${[N, O]}`, 1e-5, 1e-7);
    arena.release(mark);
  }
  const v = put(new Float32Array([-1, 0, 2, -0.5, 3]));
  k.exports.relu_f32(v, 5);
  assert.equal(Array.from(arena.f32(v, 5)), [0, 0, 2, 0, 3]);
  // The SIMD body and the scalar tail both keep NaN and -0 like `if (v < 0) v = 0`.
  const odd = put(new Float32Array([-3, NaN, -0, 4, 0.5, -0.25, NaN, -0, -7]));
  k.exports.relu_f32(odd, 9);
  const got = Array.from(arena.f32(odd, 9));
  [0, NaN, -0, 4, 0.5, 0, NaN, -0, 0].forEach((e, i) => assert.ok(Object.is(got[i], e), `relu lane ${i}: ${got[i]} vs ${e}`));
});

test("the debug build refuses an access outside the arena", () => {
  const p = arena.allocF32(4);
  expectOctetError(() => k.exports.relu_f32(p, 1 << 20), "OUT_OF_BOUNDS", /outside the arena/);
});

test.run();
