// Int8 softmax over each image's C*H*W values (octet's softmax axis), the
// output uint8 at scale 1/256 stored as int8 with zero point -128, as ONNX
// Runtime's QLinearSoftmax writes it (docs/int8-numerics.md "Softmax"):
//   m = max x;  e_i = T[m - x_i] (table: i32 [256], T[d] = round(2^20 exp(-s d)));
//   S = sum e_i (i64);  y_i = min(255, floor((512 e_i + S) / (2 S))) - 128.
// Integer arithmetic throughout, so the sum's order cannot change a result.
// Padding lanes are skipped and written 0. Input zero points cancel in m - x.
import { ldi8, sti8, ldi32 } from "../mem";

@inline function softmax(G: i32, x: usize, N: i32, C: i32, H: i32, W: i32, table: usize, y: usize): void {
  const CB = (C + G - 1) / G;
  const P = H * W;
  const image = <usize>(CB * P * G);
  for (let n = 0; n < N; n++) {
    const xn = x + <usize>n * image, yn = y + <usize>n * image;
    let m: i32 = -128;
    for (let cb = 0; cb < CB; cb++) {
      const real = min(G, C - cb * G);
      for (let p = 0; p < P; p++) {
        const px = xn + <usize>((cb * P + p) * G);
        for (let l = 0; l < real; l++) m = max(m, <i32>ldi8(px + <usize>l));
      }
    }
    let sum: i64 = 0;
    for (let cb = 0; cb < CB; cb++) {
      const real = min(G, C - cb * G);
      for (let p = 0; p < P; p++) {
        const px = xn + <usize>((cb * P + p) * G);
        for (let l = 0; l < real; l++) sum += <i64>ldi32(table + (<usize>(m - <i32>ldi8(px + <usize>l)) << 2));
      }
    }
    const twice = sum << 1;
    for (let cb = 0; cb < CB; cb++) {
      const real = min(G, C - cb * G);
      for (let p = 0; p < P; p++) {
        const o = <usize>((cb * P + p) * G);
        for (let l = 0; l < G; l++) {
          let q: i32 = 0;
          if (l < real) {
            const e = <i64>ldi32(table + (<usize>(m - <i32>ldi8(xn + o + <usize>l)) << 2));
            q = <i32>min<i64>(255, ((e << 9) + sum) / twice) - 128;
          }
          sti8(yn + o + <usize>l, <i8>q);
        }
      }
    }
  }
}

export function softmax_nchw4_s8(x: usize, N: i32, C: i32, H: i32, W: i32, table: usize, y: usize): void {
  softmax(4, x, N, C, H, W, table, y);
}

export function softmax_nc32hw32_s8(x: usize, N: i32, C: i32, H: i32, W: i32, table: usize, y: usize): void {
  softmax(32, x, N, C, H, W, table, y);
}
