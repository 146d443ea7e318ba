// fc_nchw4_s8 / fc_nc32hw32_s8 (debug build) vs the scalar reference on the
// nchw-flattened input, bit-exact; output [N, O, 1, 1] in the same layout,
// padding channels 0 whatever the output zero point (fc-cases.ts); x, y or the
// weights last in the arena, so an access past them is an OUT_OF_BOUNDS error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { LAYOUTS } from "../../src/int8/layout.js";
import { debugKernels } from "./helpers.js";
import { fcCases, fcMismatch } from "./fc-cases.js";

for (const layout of LAYOUTS) {
  test(`fc ${layout}: bit-exact vs reference over ${fcCases().length} shapes`, () => {
    for (const last of ["y", "x", "weights"] as const) assert.is(fcMismatch(debugKernels(), layout, last), "none", `${last} last in the arena`);
  });
}

test.run();
