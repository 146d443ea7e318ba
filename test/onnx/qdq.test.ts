// Hand-built QDQ graphs, the forms ONNX Runtime's quantize_static and
// NVIDIA's tools write: activations Q -> DQ with uint8 or int8 zero points at
// the ends of their ranges, int8 weights (one of them -128) behind a
// DequantizeLinear with a per-tensor or per-channel scale, an int32 bias on
// the grid input scale x weight scale, a Q/DQ pair on a Flatten output, a
// DequantizeLinear without a zero point. The import keeps the model's numbers
// exactly; octet's INT8 plan, run on the GPU, gives ONNX Runtime's outputs on
// the same file to within one output step. Malformed scales and zero points
// are named errors.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { onnx, type TensorProto } from "../../src/onnx/proto.js";
import { importOnnx, importNotes } from "../../src/onnx/import.js";
import { buildPlan, DEFAULT_BUILD } from "../../src/engine/plan.js";
import { ExecutionContext } from "../../src/engine/context.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { randomF32, expectOctetError } from "../helpers.js";
import { a, floats, graph, n, ortRun, type NodeSpec } from "./graphs.js";

const DT = onnx.TensorProto.DataType;
const typed = (name: string, dims: number[], type: number, values: number[]): TensorProto => {
  const bytes = type === DT.INT32 ? new Uint8Array(Int32Array.from(values).buffer) : type === DT.INT8 ? new Uint8Array(Int8Array.from(values).buffer) : Uint8Array.from(values);
  return onnx.TensorProto.create({ name, dims, dataType: type, rawData: bytes });
};
const scalar = (name: string, type: number, v: number) => typed(name, [], type, [v]);

interface Form {
  label: string;
  /** Activation zero point type and values: input, conv output, fc output. */
  type: number;
  zIn: number;
  zConv: number;
  zFc: number;
  perChannel: boolean;
  /** Leave the input's zero point out (uint8 zero point 0 by default). */
  noInputZero?: boolean;
}

const FORMS: Form[] = [
  { label: "uint8, zero points 0 / 255 / 128, per-tensor weights", type: DT.UINT8, zIn: 0, zConv: 255, zFc: 128, perChannel: false },
  { label: "uint8 with no zero point input (0), per-channel weights", type: DT.UINT8, zIn: 0, zConv: 7, zFc: 0, perChannel: true, noInputZero: true },
  { label: "int8, zero points -128 / 127 / 0, per-channel weights", type: DT.INT8, zIn: -128, zConv: 127, zFc: 0, perChannel: true },
  { label: "int8 symmetric (zero points 0), per-tensor weights", type: DT.INT8, zIn: 0, zConv: 0, zFc: 3, perChannel: false },
];

const C = 3, H = 6, W = 5, K = 4, O = 5;
const sIn = 0.01, sConv = 0.02, sFc = 0.05;

function qdqGraph(f: Form, edit?: (init: TensorProto[], nodes: NodeSpec[]) => void): Uint8Array {
  const wScales = f.perChannel ? [0.011, 0.007, 0.013, 0.009] : [0.01];
  const wq = Array.from({ length: K * C * 9 }, (_, i) => ((i * 37) % 255) - 127);
  wq[5] = -128;
  const fcScale = 0.004;
  const fcq = Array.from({ length: O * K * 3 * 3 }, (_, i) => ((i * 53) % 251) - 125);
  const bias = Array.from({ length: K }, (_, k) => (k - 1) * 40);
  const init: TensorProto[] = [
    floats("s_in", [], [sIn]), floats("s_conv", [], [sConv]), floats("s_fc", [], [sFc]),
    scalar("z_in", f.type, f.zIn), scalar("z_conv", f.type, f.zConv), scalar("z_fc", f.type, f.zFc),
    typed("w_q", [K, C, 3, 3], DT.INT8, wq), floats("w_s", f.perChannel ? [K] : [], wScales), typed("w_z", f.perChannel ? [K] : [], DT.INT8, f.perChannel ? [0, 0, 0, 0] : [0]),
    typed("b_q", [K], DT.INT32, bias), floats("b_s", [K], Array.from({ length: K }, (_, k) => Math.fround(Math.fround(sIn) * Math.fround(wScales[f.perChannel ? k : 0]!)))),
    typed("fc_q", [O, K * 3 * 3], DT.INT8, fcq), floats("fc_s", [], [fcScale]),
  ];
  const zIn = f.noInputZero ? [] : ["z_in"];
  const nodes: NodeSpec[] = [
    n("QuantizeLinear", "x_q", ["x", "s_in", ...zIn], "xq"), n("DequantizeLinear", "x_dq", ["xq", "s_in", ...zIn], "xd"),
    n("DequantizeLinear", "w_dq", ["w_q", "w_s", "w_z"], "w", f.perChannel ? [a.int("axis", 0)] : []),
    n("DequantizeLinear", "b_dq", ["b_q", "b_s"], "b", [a.int("axis", 0)]),
    n("Conv", "conv", ["xd", "w", "b"], "c", [a.ints("kernel_shape", [3, 3]), a.ints("strides", [2, 2]), a.ints("pads", [1, 1, 1, 1])]),
    n("QuantizeLinear", "c_q", ["c", "s_conv", "z_conv"], "cq"), n("DequantizeLinear", "c_dq", ["cq", "s_conv", "z_conv"], "cd"),
    n("Flatten", "flat", ["cd"], "f"),
    n("QuantizeLinear", "f_q", ["f", "s_conv", "z_conv"], "fq"), n("DequantizeLinear", "f_dq", ["fq", "s_conv", "z_conv"], "fd"),
    n("DequantizeLinear", "fc_dq", ["fc_q", "fc_s"], "fcw"),
    n("Gemm", "fc", ["fd", "fcw"], "y", [a.int("transB", 1)]),
    n("QuantizeLinear", "y_q", ["y", "s_fc", "z_fc"], "yq"), n("DequantizeLinear", "y_dq", ["yq", "s_fc", "z_fc"], "out"),
  ];
  edit?.(init, nodes);
  return graph({ input: [C, H, W], nodes, initializers: init });
}

const stored = (f: Form, z: number) => (f.type === DT.UINT8 ? z - 128 : z);

for (const f of FORMS) {
  test(`QDQ ${f.label}: the model's numbers kept; INT8 equals ONNX Runtime within one output step`, async () => {
    const bytes = qdqGraph(f);
    const m = importOnnx(bytes, "q.onnx");
    const q = m.quantization!;
    assert.is(q.scales.get("x"), Math.fround(sIn));
    assert.is(q.zeroPoints.get("x") ?? 0, stored(f, f.zIn));
    const convOut = m.graph.layers.find((l) => l.name.startsWith("conv/zero_point_relu"))?.output ?? "c";
    assert.is(q.zeroPoints.get(convOut) ?? 0, stored(f, f.zConv), "conv output zero point");
    const w = q.weights.get("conv")!;
    assert.is(w.q[5], -128, "a weight of -128 is kept");
    assert.equal(Array.from(w.q.subarray(0, 4)), [-127, -90, -53, -16]);
    assert.equal(Array.from(w.scales), (f.perChannel ? [0.011, 0.007, 0.013, 0.009] : [0.01, 0.01, 0.01, 0.01]).map(Math.fround), "weight scales as given");
    assert.equal(Array.from(w.bias!), [-40, 0, 40, 80], "the int32 bias as given");
    assert.ok(q.weights.get("fc")!.scales.every((s) => s === Math.fround(0.004)));
    const plan = buildPlan(m, DEFAULT_BUILD, q.scales, { algorithm: "explicit", source: "q.onnx" });
    assert.ok(plan.placement.every((p) => p.precision === "int8"), plan.placement.map((p) => `${p.layer} ${p.precision} ${p.reason}`).join("; "));
    const N = 16;
    const x = randomF32(N * C * H * W, 5, -1.5, 1.5);
    const want = await ortRun(bytes, x, [N, C, H, W]);
    const ctx = new ExecutionContext(plan, () => loadKernels("debug"), N);
    ctx.input(N).set(x);
    ctx.enqueue(N);
    const got = ctx.output(N);
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i]! - want[i]!) / sFc);
    assert.ok(worst <= 1 + 1e-6, `largest difference from ONNX Runtime: ${worst} output steps`);
    const dla = buildPlan(m, { ...DEFAULT_BUILD, device: "dla" }, q.scales, { algorithm: "explicit", source: "q.onnx" });
    const conv = dla.placement.find((p) => p.layer === "conv")!;
    if (f.zIn !== 0 || f.zConv !== 0 || f.type === DT.UINT8) {
      assert.is(conv.device, "gpu");
      assert.match(conv.reason, /INT8: symmetric quantization only: tensor .* has zero point -?\d+; TensorRT's DLA takes symmetric int8 \(zero point 0\) only/);
    } else {
      assert.is(conv.device, "dla", conv.reason);
    }
  });
}

test("a Q/DQ pair on a Flatten output on its input's grid is elided, and the import says so", () => {
  const m = importOnnx(qdqGraph(FORMS[0]!), "q.onnx");
  assert.equal(m.graph.layers.map((l) => l.type), ["convolution", "fully_connected"]);
  const notes = importNotes(m);
  assert.ok(notes.some((t) => /QuantizeLinear\/DequantizeLinear on f \(a view of c\) requantize on its grid: elided/.test(t)), notes.join("\n"));
});

test("malformed scales and zero points are refused, each by name", () => {
  const f = FORMS[0]!;
  const bad = (edit: (init: TensorProto[], nodes: NodeSpec[]) => void, pattern: RegExp, code = "MODEL_FORMAT") =>
    expectOctetError(() => importOnnx(qdqGraph(f, edit), "bad.onnx"), code, pattern);
  const setInit = (name: string, t: TensorProto) => (init: TensorProto[]) => { init[init.findIndex((x) => x.name === name)] = t; };
  bad(setInit("s_in", floats("s_in", [], [0])), /node x_q \(QuantizeLinear\): scale 0 /);
  bad(setInit("s_in", floats("s_in", [], [NaN])), /node x_q \(QuantizeLinear\): scale NaN /);
  bad(setInit("s_conv", floats("s_conv", [], [-0.5])), /node c_q \(QuantizeLinear\): scale -0.5 /);
  bad(setInit("z_in", onnx.TensorProto.create({ name: "z_in", dims: [], dataType: DT.UINT8, int32Data: [300] })), /node x_q \(QuantizeLinear\): zero point 300 is outside uint8's range 0..255/);
  bad(setInit("z_conv", onnx.TensorProto.create({ name: "z_conv", dims: [], dataType: DT.INT8, int32Data: [200] })), /node c_q \(QuantizeLinear\): zero point 200 is outside int8's range -128..127/);
  bad(setInit("w_s", floats("w_s", [5], [0.1, 0.1, 0.1, 0.1, 0.1])), /node w_dq \(DequantizeLinear\): 5 scales on axis 1 of a \[4, 3, 3, 3\] tensor/, "SHAPE_MISMATCH");
  bad(setInit("w_z", typed("w_z", [], DT.INT8, [2])), /node conv \(Conv\): weight zero point 2 is not 0; octet's weights are symmetric int8/);
  bad((init, nodes) => { nodes.find((x) => x.name === "c_dq")!.inputs[2] = "z_fc"; }, /node c_dq \(DequantizeLinear\): zero point differs from its QuantizeLinear's/);
});

test.run();
