// MNIST-style preprocessing of a drawing, as the MNIST digits were made: the
// ink's bounding box is scaled (aspect kept, anti-aliased) so its longer side
// is 20 pixels, then placed in a 28x28 image so that its centre of mass sits
// at the centre. Input: intensities in [0, 1] (1 = ink), row-major.
export const MNIST_SIZE = 28;
const BOX = 20;
const INK = 0.05;

export function mnistPreprocess(pixels: Float32Array, width: number, height: number): Float32Array {
  const out = new Float32Array(MNIST_SIZE * MNIST_SIZE);
  let x0 = width, y0 = height, x1 = -1, y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      if (pixels[y * width + x]! > INK) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        if (y > y1) y1 = y;
      }
    }
  if (x1 < 0) return out;
  const bw = x1 - x0 + 1, bh = y1 - y0 + 1;
  const scale = BOX / Math.max(bw, bh);
  const tw = Math.max(1, Math.round(bw * scale)), th = Math.max(1, Math.round(bh * scale));
  // Each target pixel averages a 4x4 grid of bilinear samples of its source area.
  const box = new Float32Array(tw * th);
  const S = 4;
  const sample = (sx: number, sy: number) => {
    const fx = Math.min(Math.max(sx - 0.5, 0), bw - 1), fy = Math.min(Math.max(sy - 0.5, 0), bh - 1);
    const ix = Math.floor(fx), iy = Math.floor(fy);
    const ax = fx - ix, ay = fy - iy;
    const at = (x: number, y: number) => pixels[(y0 + Math.min(y, bh - 1)) * width + x0 + Math.min(x, bw - 1)]!;
    return (1 - ay) * ((1 - ax) * at(ix, iy) + ax * at(ix + 1, iy)) + ay * ((1 - ax) * at(ix, iy + 1) + ax * at(ix + 1, iy + 1));
  };
  for (let ty = 0; ty < th; ty++)
    for (let tx = 0; tx < tw; tx++) {
      let sum = 0;
      for (let j = 0; j < S; j++)
        for (let i = 0; i < S; i++) sum += sample(((tx + (i + 0.5) / S) * bw) / tw, ((ty + (j + 0.5) / S) * bh) / th);
      box[ty * tw + tx] = sum / (S * S);
    }
  let mass = 0, cx = 0, cy = 0;
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) {
      const v = box[y * tw + x]!;
      mass += v;
      cx += v * (x + 0.5);
      cy += v * (y + 0.5);
    }
  const clampOffset = (o: number, size: number) => Math.min(Math.max(o, 0), MNIST_SIZE - size);
  const ox = clampOffset(Math.round(MNIST_SIZE / 2 - cx / mass), tw);
  const oy = clampOffset(Math.round(MNIST_SIZE / 2 - cy / mass), th);
  for (let y = 0; y < th; y++)
    for (let x = 0; x < tw; x++) out[(oy + y) * MNIST_SIZE + ox + x] = Math.min(1, box[y * tw + x]!);
  return out;
}
