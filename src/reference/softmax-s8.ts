// Scalar reference of the INT8 softmax on plain nchw int8 images of `per`
// values: y = min(255, floor((512 e + S) / (2 S))) - 128 with e = T[max - x]
// and S the image's sum of e (exact integers: BigInt).
export function softmaxS8Ref(x: Int8Array, N: number, per: number, table: Int32Array): Int8Array {
  const y = new Int8Array(x.length);
  for (let n = 0; n < N; n++) {
    const image = x.subarray(n * per, (n + 1) * per);
    const m = Math.max(...image);
    let sum = 0n;
    for (const v of image) sum += BigInt(table[m - v]!);
    image.forEach((v, i) => {
      const e = BigInt(table[m - v]!);
      const q = (512n * e + sum) / (2n * sum);
      y[n * per + i] = Number(q > 255n ? 255n : q) - 128;
    });
  }
  return y;
}
