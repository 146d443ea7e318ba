// CRC-32 (IEEE 802.3, reflected, as zlib's crc32), for weights and plan files:
// slicing by 8 (8 bytes per step, read as two words, through 8 tables), so
// a plan's half megabyte is a few thousand steps even while V8 still
// interprets this code at load.
const TABLES = (() => {
  const t = new Uint32Array(8 * 256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  for (let n = 0; n < 256; n++) {
    for (let s = 1; s < 8; s++) t[s * 256 + n] = (t[(s - 1) * 256 + n]! >>> 8) ^ t[t[(s - 1) * 256 + n]! & 0xff]!;
  }
  return t;
})();

export function crc32(bytes: Uint8Array): number {
  const t = TABLES;
  let c = 0xffffffff;
  let i = 0;
  // Whole 8-byte steps as two little-endian words read at once (an aligned view when the bytes allow).
  const head = Math.min(bytes.length, (4 - (bytes.byteOffset % 4)) % 4);
  for (; i < head; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  const steps = Math.floor((bytes.length - i) / 8);
  const words = steps > 0 ? new Uint32Array(bytes.buffer, bytes.byteOffset + i, steps * 2) : new Uint32Array(0);
  for (let w = 0; w < words.length; w += 2) {
    const lo = (c ^ words[w]!) >>> 0, hi = words[w + 1]!;
    c = t[7 * 256 + (lo & 0xff)]! ^ t[6 * 256 + ((lo >>> 8) & 0xff)]! ^ t[5 * 256 + ((lo >>> 16) & 0xff)]! ^ t[4 * 256 + (lo >>> 24)]! ^
      t[3 * 256 + (hi & 0xff)]! ^ t[2 * 256 + ((hi >>> 8) & 0xff)]! ^ t[256 + ((hi >>> 16) & 0xff)]! ^ t[hi >>> 24]!;
  }
  i += steps * 8;
  for (; i < bytes.length; i++) c = t[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
