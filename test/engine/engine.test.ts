// An Engine uploads the plan's weights once per device; contexts made from
// it hold only their activations, and run interleaved they give exactly the
// outputs of a context on its own (GPU and DLA plans), also after a later
// context has grown the shared memory under the earlier ones' buffers.
import { test as it } from "uvu";
import * as assert from "uvu/assert";
import { plan, test } from "./fixtures.js";
import { Engine } from "../../src/engine/engine.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { imagesToFloat } from "../../src/data/dataset.js";
import type { Plan } from "../../src/engine/plan.js";

const B = 25, IMAGES = 500;

function run(ctx: ExecutionContext, start: number): Float32Array {
  imagesToFloat(test, start, B, ctx.input(B) as Float32Array);
  ctx.enqueue(B);
  return Float32Array.from(ctx.output(B));
}

function weightBytes(p: Plan): number {
  let bytes = 0;
  for (const v of Object.values(p.params)) bytes += v.kind === "int8" ? v.weights.length + 4 * (v.bias.length + v.mult.length) : 4 * (v.weight.length + v.bias.length);
  return bytes;
}

for (const [label, options] of [["GPU", {}], ["DLA with fallback", { device: "dla" as const }]] as const) {
  it(`${label}: three contexts of one engine share its weights and each gives a lone context's outputs`, () => {
    const p = plan(options);
    const engine = new Engine(p, () => loadKernels("release"));
    const a = engine.createContext(B);
    const used1 = engine.memoryBytes().reduce((s, m) => s + m.bytes, 0);
    const b = engine.createContext(B), c = engine.createContext(B);
    const used3 = engine.memoryBytes().reduce((s, m) => s + m.bytes, 0);
    const activations = a.activationBytes().reduce((s, m) => s + m.planned, 0);
    assert.ok(used1 >= weightBytes(p), `the first context brings the weights: ${used1} bytes`);
    assert.ok((used3 - used1) / 2 <= activations + 64 * 1024, `each later context adds ${(used3 - used1) / 2} bytes, its activations are ${activations}`);
    const alone = new ExecutionContext(p, () => loadKernels("release"), B);
    for (let s = 0; s < IMAGES; s += 3 * B) {
      const want = [run(alone, s), run(alone, s + B), run(alone, s + 2 * B)];
      const got = [run(a, s), run(c, s + 2 * B), run(b, s + B)];
      assert.equal(Array.from(got[0]!), Array.from(want[0]!), `context a at ${s}`);
      assert.equal(Array.from(got[2]!), Array.from(want[1]!), `context b at ${s + B}`);
      assert.equal(Array.from(got[1]!), Array.from(want[2]!), `context c at ${s + 2 * B}`);
    }
    assert.is(engine.contextCount, 3);
  });
}

it.run();
