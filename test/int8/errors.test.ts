// Failure paths: a kernel given a too-small buffer raises OUT_OF_BOUNDS in the
// debug build; bad arguments are rejected host-side with BAD_ARGUMENT naming
// the parameter.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { OctetError } from "../../src/errors.js";
import { packConv } from "../../src/int8/pack-conv.js";
import { packFc } from "../../src/int8/pack-fc.js";
import { convS8, fcS8, poolS8, quantizeToS8, uploadParams } from "../../src/int8/ops.js";
import { convScratchBytes } from "../../src/int8/scratch.js";
import { blockedBytes } from "../../src/int8/layout.js";
import { debugKernels } from "./helpers.js";

function codeOf(f: () => void): { code: string; message: string } {
  try {
    f();
  } catch (e) {
    if (e instanceof OctetError) return { code: e.code, message: e.message };
    return { code: `non-OctetError: ${String(e)}`, message: "" };
  }
  return { code: "no error", message: "" };
}

for (const layout of ["nchw4", "nc32hw32"] as const) {
  test(`conv ${layout}: too-small output buffer -> OUT_OF_BOUNDS (debug build)`, () => {
    const k = debugKernels();
    const mark = k.arena.mark();
    const packed = packConv(new Int8Array(8 * 4 * 9).fill(1), new Int32Array(8), new Float32Array(8).fill(0.01), 8, 4, 3, layout, 1);
    const dev = uploadParams(k, packed);
    const x = k.arena.alloc(blockedBytes(1, 4, 9, 9, layout));
    const scratch = k.arena.alloc(convScratchBytes(4, 3, packed.path));
    const need = blockedBytes(1, 8, 7, 7, layout);
    const y = k.arena.alloc(need - 4); // last allocation: the arena ends 4 bytes early
    const r = codeOf(() => convS8(k, packed, dev, { x, N: 1, C: 4, H: 9, W: 9, stride: 1, pad: 0, relu: false, y, scratch }));
    assert.is(r.code, "OUT_OF_BOUNDS");
    k.arena.release(mark);
  });

  test(`fc ${layout}: too-small input buffer -> OUT_OF_BOUNDS (debug build)`, () => {
    const k = debugKernels();
    const mark = k.arena.mark();
    const packed = packFc(new Int8Array(10 * 50 * 16), new Int32Array(10), new Float32Array(10), 10, 50, 4, 4, layout);
    const dev = uploadParams(k, packed);
    const y = k.arena.alloc(blockedBytes(2, 10, 1, 1, layout));
    const x = k.arena.alloc(blockedBytes(2, 50, 4, 4, layout) - 8);
    const r = codeOf(() => fcS8(k, packed, dev, { x, N: 2, relu: false, y }));
    assert.is(r.code, "OUT_OF_BOUNDS");
    k.arena.release(mark);
  });
}

test("bad arguments -> BAD_ARGUMENT naming the parameter", () => {
  const k = debugKernels();
  const mark = k.arena.mark();
  const buf = k.arena.alloc(1 << 16);
  const conv = (kernel: number, stride: number, pad = 0) => {
    const packed = packConv(new Int8Array(4 * 4 * kernel * kernel), new Int32Array(4), new Float32Array(4), 4, 4, kernel, "nchw4", stride);
    const dev = { weights: buf, bias: buf, mult: buf };
    return codeOf(() => convS8(k, packed, dev, { x: buf, N: 1, C: 4, H: 40, W: 40, stride, pad, relu: false, y: buf, scratch: buf }));
  };
  for (const [r, name] of [[conv(0, 1), "kernel"], [conv(33, 1), "kernel"], [conv(3, 0), "stride"], [conv(3, 9), "stride"], [conv(3, 1, 3), "pad"]] as const) {
    assert.is(r.code, "BAD_ARGUMENT");
    assert.ok(r.message.includes(`${name}:`) && r.message.includes("expected") && r.message.includes("found"), r.message);
  }
  const pool = (window: number, stride: number, H = 12) =>
    codeOf(() => poolS8(k, "max", "nc32hw32", { x: buf, N: 1, C: 4, H, W: H, window, stride, y: buf }));
  for (const [r, name] of [[pool(9, 1), "window"], [pool(0, 1), "window"], [pool(2, 17), "stride"], [pool(5, 1, 4), "window"]] as const) {
    assert.is(r.code, "BAD_ARGUMENT");
    assert.ok(r.message.includes(`${name}:`), r.message);
  }
  const q = codeOf(() => quantizeToS8(k, "nchw4", 0, { x: buf, N: 1, C: 0, H: 1, W: 1, y: buf }));
  assert.is(q.code, "BAD_ARGUMENT");
  assert.ok(q.message.includes("C:"), q.message);
  k.arena.release(mark);
});

test.run();
