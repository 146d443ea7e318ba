// The DLA command list: a ReLU the fusion pass fused runs inside the conv / fc it reads, a lone
// ReLU becomes a relu command over the padded bytes of an image, and a
// softmax (which placement never puts on the DLA, but a hand-edited plan
// could) is refused with a typed error instead of an untyped throw.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dlaCommands, encodeCommand } from "../../src/engine/dla-program.js";
import type { Step } from "../../src/builder/fuse.js";
import type { Layer } from "../../src/model/graph.js";
import { expectOctetError } from "../helpers.js";

const step = (layers: Layer[], fusedRelus: string[] = []): Step => ({
  name: "{...}", device: "dla", precision: "int8", inputs: layers[0]!.inputs, outputs: [layers.at(-1)!.output], fusedRelus,
  layers: layers.map((layer) => ({ layer, device: "dla", precision: "int8", reason: "test" })),
});

const fc: Layer = { name: "ip1", type: "fully_connected", inputs: ["x"], output: "ip1", numOutput: 5, bias: true };
const relu1: Layer = { name: "relu1", type: "relu", inputs: ["ip1"], output: "ip1" };
const pool: Layer = {
  name: "pool", type: "pooling", inputs: ["ip1"], output: "pool", method: "max", kernelShape: [1, 1], strides: [1, 1], pads: [0, 0, 0, 0], ceilMode: false, countIncludePad: false,
};
const relu2: Layer = { name: "relu2", type: "relu", inputs: ["pool"], output: "r" };

test("a ReLU after fc fuses into it; a ReLU after pooling is its own relu command", () => {
  const cmds = dlaCommands(step([fc, relu1, pool, relu2], ["relu1"]));
  assert.equal(cmds.map((c) => [c.name, c.relu, c.output]), [["ip1 + relu1", true, "ip1"], ["pool", false, "pool"], ["relu2", false, "r"]]);
  const words = encodeCommand(cmds[2]!, [40, 3, 3], { x: 1000, y: 2000 });
  assert.equal(Array.from(words.subarray(0, 4)), [5, 1000, 64 * 9, 2000], "opcode 5, x, bytes per image (40 channels padded to 64), y");
});

test("a softmax command is a BAD_ARGUMENT OctetError", () => {
  const softmax: Layer = { name: "prob", type: "softmax", inputs: ["x"], output: "prob" };
  expectOctetError(() => encodeCommand(dlaCommands(step([softmax]))[0]!, [10, 1, 1], { x: 0, y: 0 }), "BAD_ARGUMENT", /softmax prob cannot run on the DLA/);
});

test.run();
