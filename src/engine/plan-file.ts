// The plan file: the whole build result, versioned and checksummed, so it
// loads without rebuilding (as a TensorRT engine file does).
//   "OCTP" | u32 format version | u32 JSON bytes | u32 blob bytes | u32 CRC-32 of the rest
//   JSON (UTF-8) describing the plan, padded with spaces to a multiple of 8
//   blob: every typed array of the plan, 8-byte aligned; the JSON refers to
//         them as {"$blob": [type, byteOffset, length]}
import { fail } from "../errors.js";
import { crc32 } from "../util/crc32.js";
import { PLAN_VERSION, type Plan } from "./plan.js";

export const PLAN_MAGIC = "OCTP";
const HEADER = 20;

type Typed = Int8Array | Int32Array | Float32Array;
const CTORS = { i8: Int8Array, i32: Int32Array, f32: Float32Array } as const;
type BlobType = keyof typeof CTORS;

function typeOf(v: unknown): BlobType | null {
  if (v instanceof Int8Array) return "i8";
  if (v instanceof Int32Array) return "i32";
  if (v instanceof Float32Array) return "f32";
  return null;
}

export function serializePlan(plan: Plan): Uint8Array {
  const arrays: Typed[] = [];
  let blobBytes = 0;
  const json = JSON.stringify(plan, (_key, value) => {
    const t = typeOf(value);
    if (t === null) return value;
    const a = value as Typed;
    const offset = blobBytes;
    arrays.push(a);
    blobBytes += Math.ceil(a.byteLength / 8) * 8;
    return { $blob: [t, offset, a.length] };
  });
  let jsonBytes = new TextEncoder().encode(json);
  const padded = Math.ceil(jsonBytes.length / 8) * 8;
  const out = new Uint8Array(HEADER + padded + blobBytes);
  out.set(jsonBytes, HEADER);
  out.fill(0x20, HEADER + jsonBytes.length, HEADER + padded);
  let at = HEADER + padded;
  for (const a of arrays) {
    out.set(new Uint8Array(a.buffer, a.byteOffset, a.byteLength), at);
    at += Math.ceil(a.byteLength / 8) * 8;
  }
  jsonBytes = out.subarray(HEADER, HEADER + padded);
  out.set(new TextEncoder().encode(PLAN_MAGIC), 0);
  const view = new DataView(out.buffer);
  view.setUint32(4, PLAN_VERSION, true);
  view.setUint32(8, padded, true);
  view.setUint32(12, blobBytes, true);
  view.setUint32(16, crc32(out.subarray(HEADER)), true);
  return out;
}

export function deserializePlan(bytes: Uint8Array, file: string): Plan {
  if (bytes.length < HEADER) fail("BAD_ARGUMENT", `${file}: ${bytes.length} bytes is too short for a plan header (${HEADER} bytes)`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== PLAN_MAGIC) fail("BAD_ARGUMENT", `${file}: not an octet plan (magic ${JSON.stringify(magic)}, expected "${PLAN_MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== PLAN_VERSION) fail("BAD_ARGUMENT", `${file}: plan format version ${version}, this octet reads version ${PLAN_VERSION}; rebuild the plan`);
  const jsonBytes = view.getUint32(8, true), blobBytes = view.getUint32(12, true);
  const expected = HEADER + jsonBytes + blobBytes;
  if (bytes.length !== expected) fail("BAD_ARGUMENT", `${file}: plan is ${bytes.length} bytes, its header says ${expected}${bytes.length < expected ? " (truncated)" : ""}`);
  const crc = crc32(bytes.subarray(HEADER));
  if (crc !== view.getUint32(16, true)) fail("BAD_ARGUMENT", `${file}: plan checksum mismatch (corrupted file)`);
  const blob = bytes.slice(HEADER + jsonBytes);
  let plan: Plan;
  try {
    plan = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER, HEADER + jsonBytes)), (_key, value) => {
      if (value && typeof value === "object" && Array.isArray(value.$blob)) {
        const [type, offset, length] = value.$blob as [BlobType, number, number];
        const Ctor = CTORS[type];
        if (!Ctor || offset + length * Ctor.BYTES_PER_ELEMENT > blob.length) throw new Error(`bad blob reference ${JSON.stringify(value.$blob)}`);
        return new Ctor(blob.buffer, blob.byteOffset + offset, length);
      }
      return value;
    });
  } catch (e) {
    return fail("BAD_ARGUMENT", `${file}: plan description is unreadable (${(e as Error).message})`);
  }
  if (plan.version !== PLAN_VERSION || !plan.graph || !Array.isArray(plan.nodes)) fail("BAD_ARGUMENT", `${file}: plan description is incomplete`);
  return plan;
}
