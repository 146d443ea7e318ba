// The INT8 softmax, softmax_{nchw4,nc32hw32}_s8 (debug and release builds),
// bit for bit against its scalar reference (exact integer arithmetic) on odd
// shapes, with garbage in the input's padding lanes (they must not count),
// padding lanes written 0; and its table against exp.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Rng } from "../../src/util/rng.js";
import { LAYOUTS } from "../../src/int8/layout.js";
import { softmaxTable, SOFTMAX_INT8_SCALE, SOFTMAX_INT8_ZERO } from "../../src/int8/softmax-table.js";
import { softmaxS8Ref } from "../../src/reference/softmax-s8.js";
import { dequantizeZp } from "../../src/int8/numerics.js";
import { firstDiff, randomI8 } from "./helpers.js";
import { builds, outBlocked, putBlocked, readBlocked } from "./quant-helpers.js";

const SHAPES = [[1, 10, 1, 1], [3, 10, 1, 1], [2, 5, 3, 7], [1, 33, 2, 1], [3, 37, 1, 3], [1, 1, 1, 1], [2, 64, 2, 2]] as const;

test("softmaxTable: T[d] = round(2^20 exp(-s d)), T[0] = 2^20, non-increasing", () => {
  const t = softmaxTable(0.1);
  assert.is(t[0], 1 << 20);
  assert.is(t[10], Math.round(2 ** 20 * Math.exp(-1)));
  for (let d = 1; d < 256; d++) assert.ok(t[d]! <= t[d - 1]!, `at ${d}`);
});

test("softmax_*_s8 equals the scalar reference; outputs are probabilities at 1/256 summing to about 1", () => {
  for (const [build, k] of builds()) {
    const rng = new Rng(41);
    for (const layout of LAYOUTS) {
      for (const [N, C, H, W] of SHAPES) {
        for (const scale of [0.02, 0.11, 0.5]) {
          const mark = k.arena.mark();
          const x = randomI8(rng, N * C * H * W);
          if (x.length > 3) x[1] = x[2] = 127; // a tie at the maximum
          const table = softmaxTable(scale);
          const tp = k.arena.alloc(1024);
          k.arena.i32(tp, 256).set(table);
          const xp = putBlocked(k, x, N, C, H, W, layout, true);
          const yp = outBlocked(k, N, C, H, W, layout);
          (layout === "nchw4" ? k.exports.softmax_nchw4_s8 : k.exports.softmax_nc32hw32_s8)(xp, N, C, H, W, tp, yp);
          const out = readBlocked(k, yp, N, C, H, W, layout);
          const what = `${build} softmax ${layout} ${[N, C, H, W]} s=${scale}`;
          assert.is(out.badPadding, 0, `${what}: padding`);
          const want = softmaxS8Ref(x, N, C * H * W, table);
          assert.is(firstDiff(out.y, want), "none", what);
          const per = C * H * W;
          for (let n = 0; n < N; n++) {
            let sum = 0;
            for (let i = 0; i < per; i++) sum += dequantizeZp(want[n * per + i]!, SOFTMAX_INT8_SCALE, SOFTMAX_INT8_ZERO);
            assert.ok(Math.abs(sum - 1) <= per / 512 + 1 / 256, `${what}: image ${n} sums to ${sum}`);
          }
          k.arena.release(mark);
        }
      }
    }
  }
});

test("the reference against exp: each output is the nearest 1/256 step of the float softmax of the logits (within a step)", () => {
  const s = 0.07, x = Int8Array.from([-128, -5, 0, 3, 3, 17, 90, 127, 126, -40]);
  const q = softmaxS8Ref(x, 1, x.length, softmaxTable(s));
  const e = Array.from(x, (v) => Math.exp(s * (v - 127)));
  const total = e.reduce((a, b) => a + b, 0);
  x.forEach((_, i) => {
    const p = (q[i]! - SOFTMAX_INT8_ZERO) / 256;
    assert.ok(Math.abs(p - e[i]! / total) <= 1 / 256, `element ${i}: ${p} vs ${e[i]! / total}`);
  });
});

test.run();
