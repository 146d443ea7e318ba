// Single-precision matrix products used by FP32 convolution, fully connected
// layers and training. All matrices are row-major f32; strides are in elements.
import { ldf, stf, ldv } from "../mem";
import { aAt } from "./block-ops-f32";
import { gemmBlock4x8, gemmBlock1x8 } from "./gen/blocks-f32";

// C[M,N] = (accumulate ? C : 0) + A·B, with A(i,k) = A[i*rsA + k*csA] (so a
// transposed A is just swapped strides) and B[K,N] contiguous along N.
// Vectorised over N, blocked 4 rows x 8 columns (generated blocks, gen/blocks-f32.ts).
export function gemm_nn_f32(
  M: i32, N: i32, K: i32,
  a: usize, rsA: i32, csA: i32,
  b: usize, ldb: i32,
  c: usize, ldc: i32,
  accumulate: bool,
): void {
  const n8 = N & ~7;
  let i = 0;
  for (; i + 4 <= M; i += 4) {
    for (let j = 0; j < n8; j += 8) gemmBlock4x8(i, j, K, a, rsA, csA, b, ldb, c, ldc, accumulate);
    for (let r = i; r < i + 4; r++) gemmRowTail(r, n8, N, K, a, rsA, csA, b, ldb, c, ldc, accumulate);
  }
  for (; i < M; i++) {
    for (let j = 0; j < n8; j += 8) gemmBlock1x8(i, j, K, a, rsA, csA, b, ldb, c, ldc, accumulate);
    gemmRowTail(i, n8, N, K, a, rsA, csA, b, ldb, c, ldc, accumulate);
  }
}

function gemmRowTail(
  i: i32, j0: i32, N: i32, K: i32,
  a: usize, rsA: i32, csA: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool,
): void {
  for (let j = j0; j < N; j++) {
    let s: f32 = 0;
    for (let k = 0; k < K; k++) s += aAt(a, rsA, csA, i, k) * ldf(b + ((<usize>(k * ldb + j)) << 2));
    const p = c + ((<usize>(i * ldc + j)) << 2);
    stf(p, accumulate ? ldf(p) + s : s);
  }
}

// C[M,N] = (accumulate ? C : 0) + A·Bᵀ, with A[M,K] and B[N,K] both contiguous
// along K. Vectorised over K: each output is a dot product of two rows.
export function gemm_nt_f32(
  M: i32, N: i32, K: i32,
  a: usize, lda: i32,
  b: usize, ldb: i32,
  c: usize, ldc: i32,
  accumulate: bool,
): void {
  const k4 = K & ~3;
  for (let i = 0; i < M; i++) {
    const ar = a + ((<usize>(i * lda)) << 2);
    let j = 0;
    for (; j + 4 <= N; j += 4) {
      const b0 = b + ((<usize>(j * ldb)) << 2);
      const b1 = b0 + ((<usize>ldb) << 2);
      const b2 = b1 + ((<usize>ldb) << 2);
      const b3 = b2 + ((<usize>ldb) << 2);
      let s0 = f32x4.splat(0), s1 = f32x4.splat(0), s2 = f32x4.splat(0), s3 = f32x4.splat(0);
      for (let k = 0; k < k4; k += 4) {
        const off = (<usize>k) << 2;
        const av = ldv(ar + off);
        s0 = f32x4.add(s0, f32x4.mul(av, ldv(b0 + off)));
        s1 = f32x4.add(s1, f32x4.mul(av, ldv(b1 + off)));
        s2 = f32x4.add(s2, f32x4.mul(av, ldv(b2 + off)));
        s3 = f32x4.add(s3, f32x4.mul(av, ldv(b3 + off)));
      }
      let r0 = hsum(s0), r1 = hsum(s1), r2 = hsum(s2), r3 = hsum(s3);
      for (let k = k4; k < K; k++) {
        const av = ldf(ar + ((<usize>k) << 2));
        r0 += av * ldf(b0 + ((<usize>k) << 2));
        r1 += av * ldf(b1 + ((<usize>k) << 2));
        r2 += av * ldf(b2 + ((<usize>k) << 2));
        r3 += av * ldf(b3 + ((<usize>k) << 2));
      }
      const cp = c + ((<usize>(i * ldc + j)) << 2);
      if (accumulate) {
        r0 += ldf(cp); r1 += ldf(cp + 4); r2 += ldf(cp + 8); r3 += ldf(cp + 12);
      }
      stf(cp, r0); stf(cp + 4, r1); stf(cp + 8, r2); stf(cp + 12, r3);
    }
    for (; j < N; j++) {
      const br = b + ((<usize>(j * ldb)) << 2);
      let s = f32x4.splat(0);
      for (let k = 0; k < k4; k += 4) {
        const off = (<usize>k) << 2;
        s = f32x4.add(s, f32x4.mul(ldv(ar + off), ldv(br + off)));
      }
      let r = hsum(s);
      for (let k = k4; k < K; k++) r += ldf(ar + ((<usize>k) << 2)) * ldf(br + ((<usize>k) << 2));
      const cp = c + ((<usize>(i * ldc + j)) << 2);
      stf(cp, accumulate ? ldf(cp) + r : r);
    }
  }
}

@inline function hsum(v: v128): f32 {
  return (f32x4.extract_lane(v, 0) + f32x4.extract_lane(v, 1)) +
    (f32x4.extract_lane(v, 2) + f32x4.extract_lane(v, 3));
}
