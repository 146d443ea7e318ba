// Edits a plan file as an attacker would: change its JSON (blob references
// included) or its blob bytes, then write a valid header and checksum, so
// that only octet's consistency checks stand between the edit and the kernels.
import { crc32 } from "../../src/util/crc32.js";
import { PLAN_VERSION } from "../../src/engine/plan.js";

const HEADER = 20;

export interface PlanParts {
  json: unknown;
  blob: Uint8Array;
}

export function splitPlan(bytes: Uint8Array): PlanParts {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const jsonBytes = view.getUint32(8, true);
  const json = JSON.parse(new TextDecoder().decode(bytes.subarray(HEADER, HEADER + jsonBytes)));
  return { json, blob: bytes.slice(HEADER + jsonBytes) };
}

/** A plan file with a valid header and CRC around `text` (any JSON text) and `blob`. */
export function joinPlan(text: string, blob: Uint8Array, version = PLAN_VERSION): Uint8Array {
  const json = new TextEncoder().encode(text);
  const padded = Math.ceil(json.length / 8) * 8;
  const out = new Uint8Array(HEADER + padded + blob.length);
  out.set(new TextEncoder().encode("OCTP"), 0);
  out.set(json, HEADER);
  out.fill(0x20, HEADER + json.length, HEADER + padded);
  out.set(blob, HEADER + padded);
  const view = new DataView(out.buffer);
  view.setUint32(4, version, true);
  view.setUint32(8, padded, true);
  view.setUint32(12, blob.length, true);
  view.setUint32(16, crc32(out.subarray(HEADER)), true);
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function editPlan(bytes: Uint8Array, edit: (json: any, blob: Uint8Array) => void): Uint8Array {
  const { json, blob } = splitPlan(bytes);
  edit(json, blob);
  return joinPlan(JSON.stringify(json), blob);
}
