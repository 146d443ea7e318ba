// Validated wrappers over the int8 activation kernels: the table lookup
// lut_{nchw4,nc32hw32}_s8 (tables from activation-table.ts) and the
// per-channel PRelu prelu_{nchw4,nc32hw32}_s8 (parameters from channel-params.ts).
import type { Kernels } from "../runtime/kernels.js";
import { fail } from "../errors.js";
import { parseLayout, type Layout } from "./layout.js";
import type { PackedPrelu } from "./channel-params.js";
import { checkPtr, checkTensor } from "./validate.js";

type Ptr = number;

export interface UnaryCall {
  x: Ptr; N: number; C: number; H: number; W: number; y: Ptr;
}

/** Copies a 256-entry activation table into the arena; returns its pointer. */
export function uploadTable(k: Kernels, table: Int8Array): Ptr {
  if (!(table instanceof Int8Array) || table.length !== 256) fail("BAD_ARGUMENT", `lut: table: expected an Int8Array of 256 entries, found ${table instanceof Int8Array ? table.length : typeof table}`);
  const p = k.arena.alloc(256);
  k.arena.i8(p, 256).set(table);
  return p;
}

/** y = table[x + 128]; y may equal x. */
export function lutS8(k: Kernels, layout: Layout, table: Ptr, a: UnaryCall): void {
  const op = `lut_${parseLayout(layout)}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  checkPtr(op, "table", table);
  const f = layout === "nchw4" ? k.exports.lut_nchw4_s8 : k.exports.lut_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, table, a.y);
}

/** PRelu with per-channel slopes; `mNeg` points at the arena copy of packed.mNeg (uploadF32). */
export function preluS8(k: Kernels, packed: PackedPrelu, mNeg: Ptr, a: UnaryCall): void {
  const op = `prelu_${packed.layout}_s8`;
  checkTensor(op, a.N, a.C, a.H, a.W);
  if (a.C !== packed.C) fail("BAD_ARGUMENT", `${op}: C: expected ${packed.C} (packed slopes), found ${a.C}`);
  checkPtr(op, "x", a.x);
  checkPtr(op, "y", a.y);
  checkPtr(op, "mNeg", mNeg);
  const f = packed.layout === "nchw4" ? k.exports.prelu_nchw4_s8 : k.exports.prelu_nc32hw32_s8;
  f(a.x, a.N, a.C, a.H, a.W, packed.mPos, mNeg, packed.qx.zeroPoint, packed.qy.zeroPoint, a.y);
}
