// The binary weights file (docs/model-format.md):
//   "OCTW" | u32 version | u32 tensor count | u32 payload bytes | u32 CRC-32 of payload
//   payload: per tensor: u16 name length, name (UTF-8), u8 rank, u32 dims[rank],
//            zero padding to a multiple of 4, f32 data (little-endian)
import { fail } from "../errors.js";
import { crc32 } from "../util/crc32.js";
import { volume } from "./shapes.js";
import { shortText } from "./graph.js";

export const WEIGHTS_MAGIC = "OCTW";
export const WEIGHTS_VERSION = 1;
const HEADER = 20;

export interface WeightTensor {
  dims: number[];
  data: Float32Array;
}
export type WeightMap = Map<string, WeightTensor>;

export function encodeWeights(weights: WeightMap): Uint8Array {
  const enc = new TextEncoder();
  let size = 0;
  for (const [name, t] of weights) {
    size = align4(size + 2 + enc.encode(name).length + 1 + 4 * t.dims.length) + 4 * t.data.length;
  }
  const out = new Uint8Array(HEADER + size);
  const view = new DataView(out.buffer);
  let at = HEADER;
  for (const [name, t] of weights) {
    const nameBytes = enc.encode(name);
    view.setUint16(at, nameBytes.length, true);
    out.set(nameBytes, at + 2);
    at += 2 + nameBytes.length;
    view.setUint8(at++, t.dims.length);
    for (const d of t.dims) {
      view.setUint32(at, d, true);
      at += 4;
    }
    at = align4(at);
    for (let i = 0; i < t.data.length; i++, at += 4) view.setFloat32(at, t.data[i]!, true);
  }
  out.set(enc.encode(WEIGHTS_MAGIC), 0);
  view.setUint32(4, WEIGHTS_VERSION, true);
  view.setUint32(8, weights.size, true);
  view.setUint32(12, size, true);
  view.setUint32(16, crc32(out.subarray(HEADER)), true);
  return out;
}

export function decodeWeights(bytes: Uint8Array, file: string): WeightMap {
  if (bytes.length < HEADER) fail("WEIGHTS_FORMAT", `${file}: ${bytes.length} bytes is too short for the ${HEADER}-byte header`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== WEIGHTS_MAGIC) fail("WEIGHTS_FORMAT", `${file}: magic is ${JSON.stringify(magic)}, expected "${WEIGHTS_MAGIC}"`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== WEIGHTS_VERSION) fail("WEIGHTS_FORMAT", `${file}: format version ${version}, expected ${WEIGHTS_VERSION}`);
  const count = view.getUint32(8, true);
  const size = view.getUint32(12, true);
  if (bytes.length !== HEADER + size) {
    fail("WEIGHTS_FORMAT", `${file}: file is ${bytes.length} bytes, header says ${HEADER + size}${bytes.length < HEADER + size ? " (truncated)" : ""}`);
  }
  const expectedCrc = view.getUint32(16, true);
  const actualCrc = crc32(bytes.subarray(HEADER));
  if (actualCrc !== expectedCrc) {
    fail("WEIGHTS_FORMAT", `${file}: checksum mismatch: header says ${hex(expectedCrc)}, payload is ${hex(actualCrc)} (corrupted)`);
  }
  const dec = new TextDecoder("utf-8", { fatal: true });
  const weights: WeightMap = new Map();
  let at = HEADER;
  const need = (n: number, what: string) => {
    if (at + n > bytes.length) fail("WEIGHTS_FORMAT", `${file}: tensor ${weights.size}: ${what} runs past the end of the file`);
  };
  for (let i = 0; i < count; i++) {
    need(2, "name length");
    const nameLength = view.getUint16(at, true);
    need(2 + nameLength + 1, "name");
    const name = decodeName(dec, bytes.subarray(at + 2, at + 2 + nameLength), file, i);
    const label = `"${shortText(name)}"`;
    at += 2 + nameLength;
    const rank = view.getUint8(at++);
    need(4 * rank, `${label}: dimensions`);
    const dims: number[] = [];
    for (let d = 0; d < rank; d++, at += 4) dims.push(view.getUint32(at, true));
    at = align4(at);
    const n = volume(dims);
    need(4 * n, `${label}: data (${n} values for dimensions [${dims.join(", ")}])`);
    if (weights.has(name)) fail("WEIGHTS_FORMAT", `${file}: tensor ${label} appears twice`);
    const data = new Float32Array(n);
    for (let k = 0; k < n; k++, at += 4) data[k] = view.getFloat32(at, true);
    checkFinite(data, `${file}: tensor ${label}`);
    weights.set(name, { dims, data });
  }
  if (at !== bytes.length) fail("WEIGHTS_FORMAT", `${file}: ${bytes.length - at} bytes left after ${count} tensors`);
  return weights;
}

/** Refuses NaN and infinite weights, naming the first one's index. */
export function checkFinite(data: Float32Array, where: string, code: "WEIGHTS_FORMAT" | "MODEL_FORMAT" = "WEIGHTS_FORMAT"): void {
  for (let k = 0; k < data.length; k++) {
    const v = data[k]!;
    if (v - v !== 0) fail(code, `${where}: value ${k} is ${v}; weights must be finite numbers`);
  }
}

function decodeName(dec: TextDecoder, bytes: Uint8Array, file: string, index: number): string {
  let name: string;
  try {
    name = dec.decode(bytes);
  } catch {
    return fail("WEIGHTS_FORMAT", `${file}: tensor ${index}: name is not valid UTF-8`);
  }
  if (name === "") fail("WEIGHTS_FORMAT", `${file}: tensor ${index}: name is empty`);
  return name;
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, "0")}`;
}
