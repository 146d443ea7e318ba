// Plain-loop FP32 references for the wasm FP32 kernels (tests compare them).
// Shapes are NCHW; weights as in the kernels.

export function convRef(
  x: Float32Array, N: number, C: number, H: number, W: number,
  w: Float32Array, b: Float32Array, K: number, k: number, stride: number, pad: number, relu = false,
): Float32Array {
  const Ho = Math.floor((H + 2 * pad - k) / stride) + 1, Wo = Math.floor((W + 2 * pad - k) / stride) + 1;
  const y = new Float32Array(N * K * Ho * Wo);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < K; o++)
      for (let oy = 0; oy < Ho; oy++)
        for (let ox = 0; ox < Wo; ox++) {
          let s = b[o]!;
          for (let c = 0; c < C; c++)
            for (let ky = 0; ky < k; ky++)
              for (let kx = 0; kx < k; kx++) {
                const iy = oy * stride - pad + ky, ix = ox * stride - pad + kx;
                if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                s += x[((n * C + c) * H + iy) * W + ix]! * w[((o * C + c) * k + ky) * k + kx]!;
              }
          y[((n * K + o) * Ho + oy) * Wo + ox] = relu ? Math.max(0, s) : s;
        }
  return y;
}

export function poolRef(
  x: Float32Array, N: number, C: number, H: number, W: number, window: number, stride: number, method: "max" | "average",
): Float32Array {
  const Ho = Math.floor((H - window) / stride) + 1, Wo = Math.floor((W - window) / stride) + 1;
  const y = new Float32Array(N * C * Ho * Wo);
  for (let p = 0; p < N * C; p++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++) {
        let acc = method === "max" ? -Infinity : 0;
        for (let ky = 0; ky < window; ky++)
          for (let kx = 0; kx < window; kx++) {
            const v = x[(p * H + oy * stride + ky) * W + ox * stride + kx]!;
            acc = method === "max" ? Math.max(acc, v) : acc + v;
          }
        y[(p * Ho + oy) * Wo + ox] = method === "max" ? acc : acc / (window * window);
      }
  return y;
}

/** Per max-pooling output, the flat index within its (n, c) plane of the first
 *  input (in window scan order) holding the window's maximum. */
export function maxPoolArgmaxRef(
  x: Float32Array, N: number, C: number, H: number, W: number, window: number, stride: number,
): Int32Array {
  const Ho = Math.floor((H - window) / stride) + 1, Wo = Math.floor((W - window) / stride) + 1;
  const at = new Int32Array(N * C * Ho * Wo);
  for (let p = 0; p < N * C; p++)
    for (let oy = 0; oy < Ho; oy++)
      for (let ox = 0; ox < Wo; ox++) {
        let best = -Infinity, bestAt = 0;
        for (let ky = 0; ky < window; ky++)
          for (let kx = 0; kx < window; kx++) {
            const i = (oy * stride + ky) * W + ox * stride + kx;
            if (x[p * H * W + i]! > best) { best = x[p * H * W + i]!; bestAt = i; }
          }
        at[(p * Ho + oy) * Wo + ox] = bestAt;
      }
  return at;
}

export function fcRef(x: Float32Array, N: number, I: number, w: Float32Array, b: Float32Array, O: number, relu = false): Float32Array {
  const y = new Float32Array(N * O);
  for (let n = 0; n < N; n++)
    for (let o = 0; o < O; o++) {
      let s = b[o]!;
      for (let i = 0; i < I; i++) s += x[n * I + i]! * w[o * I + i]!;
      y[n * O + o] = relu ? Math.max(0, s) : s;
    }
  return y;
}

export function softmaxRef(x: Float32Array, N: number, C: number): Float32Array {
  const y = new Float32Array(N * C);
  for (let n = 0; n < N; n++) {
    const row = x.subarray(n * C, (n + 1) * C);
    const m = Math.max(...row);
    const e = Array.from(row, (v) => Math.exp(v - m));
    const s = e.reduce((a, v) => a + v, 0);
    e.forEach((v, c) => (y[n * C + c] = v / s));
  }
  return y;
}

export function matmulRef(A: Float32Array, B: Float32Array, M: number, N: number, K: number): Float32Array {
  const C = new Float32Array(M * N);
  for (let i = 0; i < M; i++)
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) s += A[i * K + k]! * B[k * N + j]!;
      C[i * N + j] = s;
    }
  return C;
}
