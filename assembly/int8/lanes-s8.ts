// Lane helpers of the issue-15 int8 kernels over the blocked layouts
// (G = 4: a 16-byte chunk is 4 pixels x 4 channel lanes; G = 32: a pixel is
// two chunks, lanes 0..15 and 16..31): masks of a block's real channel lanes,
// int8 lanes minus a zero point, widened to i32 / f32.

/** 0xFF in the bytes of a chunk whose channel lane (within the block) is
 *  below `real`, 0 elsewhere. `half`: which 16 lanes of a 32-lane pixel. */
@inline export function realLaneMask(G: i32, half: i32, real: i32): v128 {
  const iota = i8x16(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15);
  const lanes = G == 4 ? v128.and(iota, i8x16.splat(3)) : i8x16.add(iota, i8x16.splat(<i8>(half << 4)));
  return i8x16.lt_s(lanes, i8x16.splat(<i8>real));
}

/** Bytes 4q..4q+3 of v as i32, minus z (an i32 splat). */
@inline export function centeredI32(v: v128, q: i32, z: v128): v128 {
  const h = q < 2 ? i16x8.extend_low_i8x16_s(v) : i16x8.extend_high_i8x16_s(v);
  const w = (q & 1) == 0 ? i32x4.extend_low_i16x8_s(h) : i32x4.extend_high_i16x8_s(h);
  return i32x4.sub(w, z);
}

/** Bytes 4q..4q+3 of v minus z, as f32 (exact: |x - z| <= 255). */
@inline export function centeredF32(v: v128, q: i32, z: v128): v128 {
  return f32x4.convert_i32x4_s(centeredI32(v, q, z));
}

/** f32 splat of bound - z: a clamp bound of affineBits (requant.ts). */
@inline export function boundF32(bound: i32, z: i32): v128 {
  return f32x4.splat(<f32>(bound - z));
}
