// Reader for the IDX format of the original MNIST files: a 4-byte magic
// (0, 0, type code, dimension count), one big-endian u32 per dimension, then
// the data, row-major. Every field is checked; errors name the file. A header
// promising more than MAX_IDX_DATA_BYTES (1 GiB) of data is refused before
// anything is read or inflated (MNIST's largest file holds 47 MB).
import { fail } from "../errors.js";

export interface IdxArray {
  dims: number[];
  /** Element type code: 0x08 u8, 0x09 i8, 0x0b i16, 0x0c i32, 0x0d f32, 0x0e f64. */
  typeCode: number;
  data: Uint8Array;
}

export interface IdxHeader {
  dims: number[];
  typeCode: number;
  headerBytes: number;
  dataBytes: number;
}

/** Largest data section octet reads from one IDX file: 1 GiB. */
export const MAX_IDX_DATA_BYTES = 2 ** 30;

const ELEMENT_BYTES: Record<number, number> = { 0x08: 1, 0x09: 1, 0x0b: 2, 0x0c: 4, 0x0d: 4, 0x0e: 8 };

export interface IdxExpectation {
  typeCode?: number;
  rank?: number;
}

/** The header's size for a file starting with `bytes` (at least 4 bytes), without checking it. */
export function idxHeaderBytes(bytes: Uint8Array): number {
  return 4 + 4 * (bytes[3] ?? 0);
}

/** Reads and checks the header from the first bytes of a file (the data need not be there). */
export function readIdxHeader(bytes: Uint8Array, file: string, expect: IdxExpectation = {}): IdxHeader {
  if (bytes.length < 4) fail("IDX_FORMAT", `${file}: ${bytes.length} bytes is too short for an IDX header (need at least 4)`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes[0] !== 0 || bytes[1] !== 0) {
    fail("IDX_FORMAT", `${file}: bad magic number 0x${hex(view.getUint32(0))}: expected 0x0000TTDD (two zero bytes, type, rank)`);
  }
  const typeCode = bytes[2]!;
  const rank = bytes[3]!;
  const size = ELEMENT_BYTES[typeCode];
  if (size === undefined) fail("IDX_FORMAT", `${file}: unknown IDX element type 0x${typeCode.toString(16)}`);
  if (expect.typeCode !== undefined && typeCode !== expect.typeCode) {
    fail("IDX_FORMAT", `${file}: element type 0x${typeCode.toString(16).padStart(2, "0")}, expected 0x${expect.typeCode.toString(16).padStart(2, "0")}`);
  }
  if (rank === 0) fail("IDX_FORMAT", `${file}: dimension count is 0`);
  if (expect.rank !== undefined && rank !== expect.rank) {
    fail("IDX_FORMAT", `${file}: ${rank} dimensions, expected ${expect.rank}`);
  }
  const headerBytes = idxHeaderBytes(bytes);
  if (bytes.length < headerBytes) {
    fail("IDX_FORMAT", `${file}: truncated header: ${bytes.length} bytes, expected ${headerBytes} for ${rank} dimensions`);
  }
  const dims: number[] = [];
  for (let i = 0; i < rank; i++) dims.push(view.getUint32(4 + 4 * i));
  let dataBytes = size;
  for (const d of dims) {
    dataBytes *= d;
    if (dataBytes > MAX_IDX_DATA_BYTES) {
      fail("IDX_FORMAT", `${file}: dimensions [${dims.join(", ")}] promise more than ${MAX_IDX_DATA_BYTES} bytes (1 GiB) of data, octet's limit for one IDX file`);
    }
  }
  return { dims, typeCode, headerBytes, dataBytes };
}

export function parseIdx(bytes: Uint8Array, file: string, expect: IdxExpectation = {}): IdxArray {
  const { dims, typeCode, headerBytes, dataBytes } = readIdxHeader(bytes, file, expect);
  const expectedLength = headerBytes + dataBytes;
  if (bytes.length !== expectedLength) {
    fail(
      "IDX_FORMAT",
      `${file}: file is ${bytes.length} bytes, expected ${expectedLength} for dimensions [${dims.join(", ")}]` +
        (bytes.length < expectedLength ? " (truncated)" : " (trailing data)"),
    );
  }
  return { dims, typeCode, data: bytes.subarray(headerBytes) };
}

function hex(n: number): string {
  return n.toString(16).padStart(8, "0");
}
