// Pooling geometry shared by the FP32 and int8 pool2d / GAP kernels; the
// host's twin is src/int8/pool-shapes.ts. ONNX's output size: floor or ceil
// of (size + pads - k) / s, plus 1; with ceil_mode a last window starting
// past the input and its begin padding is dropped. The host guarantees
// size + pads >= k and pads < k, so every window holds an input tap.

@inline export function pooledSize(size: i32, k: i32, s: i32, padBegin: i32, padEnd: i32, ceilMode: bool): i32 {
  const span = size + padBegin + padEnd - k;
  let out = (ceilMode ? (span + s - 1) / s : span / s) + 1;
  if (ceilMode && (out - 1) * s >= size + padBegin) out--;
  return out;
}

/** Taps of a window starting at `start` that average pooling counts: inside
 *  the padded input when count_include_pad, else inside the input. */
@inline export function windowCount(start: i32, k: i32, size: i32, padEnd: i32, includePad: bool): i32 {
  return includePad
    ? min(start + k, size + padEnd) - start
    : min(start + k, size) - max(start, 0);
}
