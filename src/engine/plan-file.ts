// The plan file: the whole build result, versioned and checksummed, so it
// loads without rebuilding (as a TensorRT engine file does).
//   "OCTP" | u32 format version | u32 JSON bytes | u32 blob bytes | u32 CRC-32 of the rest
//   JSON (UTF-8) describing the plan, padded with spaces to a multiple of 8
//   blob: every typed array of the plan, 8-byte aligned; the JSON refers to
//         them as {"$blob": [type, byteOffset, length]}. INT8 layers' packed
//         weights are stored as their int8 values, one byte each, and widened
//         on load (src/int8/stored-weights.ts).
import { OctetError, fail } from "../errors.js";
import { positionDeeperThan } from "../util/json-depth.js";
import { verifyPlan } from "./plan-verify.js";
import { crc32 } from "../util/crc32.js";
import { PLAN_VERSION, type Plan } from "./plan.js";
import { inferShapes } from "../model/shapes.js";
import { firstInput } from "../model/graph.js";
import { narrowWeights, storedWeightCount } from "../int8/stored-weights.js";

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

/** The plan with each INT8 layer's packed weights as the file keeps them: their int8 values, one byte each (stored-weights.ts). */
function compactWeights(plan: Plan): Plan {
  const shapes = inferShapes(plan.graph);
  const layers = new Map(plan.graph.layers.map((l) => [l.name, l]));
  const params: Plan["params"] = {};
  for (const [name, p] of Object.entries(plan.params)) {
    const layer = layers.get(name);
    // Anything else is written as it is, for the loader's checks to name.
    if (p.kind !== "int8" || !(p.weights instanceof Int8Array) || !layer || (layer.type !== "convolution" && layer.type !== "fully_connected") || !shapes.layers.has(name)) {
      params[name] = p;
      continue;
    }
    const symmetric = (plan.zeroPoints[firstInput(layer)] ?? 0) === 0 && (plan.zeroPoints[layer.output] ?? 0) === 0;
    const count = storedWeightCount(layer, shapes.layers.get(name)!, p.layout, symmetric);
    params[name] = { ...p, weights: narrowWeights(p.weights, count, `plan: layer ${name}`) };
  }
  return { ...plan, params };
}

export function serializePlan(plan: Plan): Uint8Array {
  const arrays: Typed[] = [];
  let blobBytes = 0;
  const json = JSON.stringify(compactWeights(plan), (_key, value) => {
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

/** Plans are a few levels deep; anything deeper is not a plan. */
export const MAX_PLAN_JSON_DEPTH = 32;

export function deserializePlan(bytes: Uint8Array, file: string): Plan {
  const bad = (what: string): never => fail("PLAN_FORMAT", `${file}: ${what}`);
  if (bytes.length < HEADER) bad(`${bytes.length} bytes is too short for a plan header (${HEADER} bytes)`);
  const magic = new TextDecoder().decode(bytes.subarray(0, 4));
  if (magic !== PLAN_MAGIC) bad(`not an octet plan (magic ${JSON.stringify(magic)}, expected "${PLAN_MAGIC}")`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== PLAN_VERSION) bad(`plan format version ${version}, this octet reads version ${PLAN_VERSION}; rebuild the plan`);
  const jsonBytes = view.getUint32(8, true), blobBytes = view.getUint32(12, true);
  const expected = HEADER + jsonBytes + blobBytes;
  if (bytes.length !== expected) bad(`plan is ${bytes.length} bytes, its header says ${expected}${bytes.length < expected ? " (truncated)" : ""}`);
  const crc = crc32(bytes.subarray(HEADER));
  if (crc !== view.getUint32(16, true)) bad("plan checksum mismatch (corrupted file)");
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(HEADER, HEADER + jsonBytes));
  } catch {
    return bad("plan description is not UTF-8");
  }
  const deep = positionDeeperThan(text, MAX_PLAN_JSON_DEPTH);
  if (deep >= 0) bad(`plan description is nested more than ${MAX_PLAN_JSON_DEPTH} levels deep (at character ${deep}); a plan needs fewer`);
  const blob = new Uint8Array(blobBytes);
  blob.set(bytes.subarray(HEADER + jsonBytes));
  let raw: unknown;
  try {
    raw = JSON.parse(text, (_key, value) => (isBlobReference(value) ? blobView(value, blob, file) : value));
  } catch (e) {
    if (e instanceof OctetError) throw e;
    return bad(`plan description is unreadable (${(e as Error).message})`);
  }
  return verifyPlan(raw, file);
}

function isBlobReference(v: unknown): v is { $blob: unknown } {
  return typeof v === "object" && v !== null && Object.hasOwn(v, "$blob");
}

function blobView(value: { $blob: unknown }, blob: Uint8Array<ArrayBuffer>, file: string): Typed {
  const ref = value.$blob;
  const bad = (): never => fail("PLAN_FORMAT", `${file}: blob reference ${String(JSON.stringify(ref)).slice(0, 80)}: expected {"$blob": [type, byte offset, length]} inside the ${blob.length}-byte blob`);
  if (Object.keys(value).length !== 1 || !Array.isArray(ref) || ref.length !== 3) return bad();
  const [type, offset, length] = ref as [unknown, unknown, unknown];
  if (typeof type !== "string" || !Object.hasOwn(CTORS, type)) return bad();
  const Ctor = CTORS[type as BlobType];
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || (offset as number) < 0 || (length as number) < 0) return bad();
  const o = offset as number, n = length as number;
  if (o % Ctor.BYTES_PER_ELEMENT !== 0 || o + n * Ctor.BYTES_PER_ELEMENT > blob.length) return bad();
  return new Ctor(blob.buffer, blob.byteOffset + o, n);
}
