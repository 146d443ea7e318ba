// Backward-pass helpers for training LeNet in FP32. Convolution and fully
// connected gradients are matrix products (gemm-f32.ts); these are the rest.
import { ldf, stf, ldi32, ldv, stv } from "../mem";

// dx (N*C planes of H*W, zeroed here) receives dy routed through `argmax`.
export function maxpool_backward_f32(
  dy: usize, argmax: usize, planes: i32, outPerPlane: i32, inPerPlane: i32, dx: usize,
): void {
  memory.fill(dx, 0, (<usize>(planes * inPerPlane)) << 2);
  let o = 0;
  for (let plane = 0; plane < planes; plane++) {
    const base = dx + ((<usize>(plane * inPerPlane)) << 2);
    for (let i = 0; i < outPerPlane; i++) {
      const p = base + ((<usize>ldi32(argmax + ((<usize>o) << 2))) << 2);
      stf(p, ldf(p) + ldf(dy + ((<usize>o) << 2)));
      o++;
    }
  }
}

// dy := y > 0 ? dy : 0, in place (y is the ReLU's output).
export function relu_backward_f32(y: usize, dy: usize, count: i32): void {
  for (let i = 0; i < count; i++) {
    const off = (<usize>i) << 2;
    if (ldf(y + off) <= 0) stf(dy + off, 0);
  }
}

// db[k] = sum over n and p of dy[n, k, p].
export function bias_grad_f32(dy: usize, N: i32, K: i32, P: i32, db: usize): void {
  for (let k = 0; k < K; k++) {
    let s: f32 = 0;
    for (let n = 0; n < N; n++) {
      const row = dy + ((<usize>((n * K + k) * P)) << 2);
      for (let p = 0; p < P; p++) s += ldf(row + ((<usize>p) << 2));
    }
    stf(db + ((<usize>k) << 2), s);
  }
}

// Softmax + cross-entropy over [N, C] logits with int32 labels. Writes the
// gradient of the mean loss into dlogits and returns the mean loss.
export function softmax_xent_f32(logits: usize, labels: usize, N: i32, C: i32, dlogits: usize): f32 {
  let loss: f32 = 0;
  const invN: f32 = 1 / <f32>N;
  for (let n = 0; n < N; n++) {
    const xr = logits + ((<usize>(n * C)) << 2);
    const dr = dlogits + ((<usize>(n * C)) << 2);
    let m = -Infinity as f32;
    for (let c = 0; c < C; c++) m = max(m, ldf(xr + ((<usize>c) << 2)));
    let sum: f32 = 0;
    for (let c = 0; c < C; c++) {
      const e = Mathf.exp(ldf(xr + ((<usize>c) << 2)) - m);
      stf(dr + ((<usize>c) << 2), e);
      sum += e;
    }
    const label = ldi32(labels + ((<usize>n) << 2));
    for (let c = 0; c < C; c++) {
      const p = dr + ((<usize>c) << 2);
      const prob = ldf(p) / sum;
      if (c == label) loss -= Mathf.log(max(prob, 1e-30 as f32));
      stf(p, (prob - (c == label ? 1 : 0)) * invN);
    }
  }
  return loss * invN;
}

// Caffe's SGD with momentum and L2 weight decay:
//   v = momentum*v + lr*(g + decay*w);  w -= v
export function sgd_momentum_f32(
  w: usize, g: usize, v: usize, count: i32, lr: f32, momentum: f32, decay: f32,
): void {
  const vlr = f32x4.splat(lr), vm = f32x4.splat(momentum), vd = f32x4.splat(decay);
  const c4 = count & ~3;
  for (let i = 0; i < c4; i += 4) {
    const off = (<usize>i) << 2;
    const wi = ldv(w + off);
    const step = f32x4.add(f32x4.mul(vm, ldv(v + off)),
      f32x4.mul(vlr, f32x4.add(ldv(g + off), f32x4.mul(vd, wi))));
    stv(v + off, step);
    stv(w + off, f32x4.sub(wi, step));
  }
  for (let i = c4; i < count; i++) {
    const off = (<usize>i) << 2;
    const wi = ldf(w + off);
    const step = momentum * ldf(v + off) + lr * (ldf(g + off) + decay * wi);
    stf(v + off, step);
    stf(w + off, wi - step);
  }
}
