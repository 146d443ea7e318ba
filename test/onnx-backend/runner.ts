// ONNX's backend test data (Debian's libonnx-testdata: ONNX's node tests and
// the PyTorch converted/operator tests) run through octet: each test's
// model.onnx is imported with importOnnx, run in FP32 on a fresh kernel
// instance (Fp32Network), and its output compared with the test's
// output_0.pb, |actual - expected| <= atol + rtol * |expected| (numpy's
// allclose; NaN equals NaN and an infinity itself, as assert_allclose).
//
// octet takes one network input [N, C, H, W] and gives one output, so each
// test is first fitted to that form:
//   - input 0 (the first graph input that is not an initializer) is the
//     network input; it must be a float tensor of rank 4 (or of a lower
//     rank lifted to 4, below), else the test is not-applicable;
//   - every further non-initializer input is bound to its test value as an
//     initializer (a Conv test's W and B, a BatchNormalization test's
//     statistics, a Reshape test's shape): for the test they are constants.
//     With `bindExtraInputs: false` such a test is not-applicable instead;
//   - a graph input whose C, H, W are not fixed in the model takes them from
//     input_0.pb;
//   - an input of rank 0 to 3 is seen as rank 4 with trailing 1s ([3, 4, 5]
//     as [3, 4, 5, 1]) when every node is elementwise (ELEMENTWISE_OPS) and
//     every other operand (bound input or initializer) has its shape (and is
//     lifted with it) or holds one value: no value changes, and
//     the expected output is compared value by value. With
//     `liftElementwise: false` such a test is not-applicable instead;
//   - any other input [N, F] is fed as [N, F, 1, 1] through a Flatten
//     (axis 1) put before the model's nodes: the model sees the same values
//     (Gemm, MatMul, Softmax over [N, classes]); also under liftElementwise;
//   - a test with several outputs, or an output that is not float, is
//     not-applicable.
// The model is re-encoded only when one of those changes applies; otherwise
// the importer reads the file's own bytes.
//
// Each test ends as one of:
//   pass            imported, ran, every value within tolerance
//   fail            imported and ran, but the values (or the output's shape) differ; maxError recorded
//   unsupported     octet refused it with a typed OctetError (its message's first line recorded)
//   not-applicable  the test does not fit octet's one-input, one-output form (above)
//   crash           anything thrown that is not an OctetError: a defect in octet
import { readFileSync, readdirSync, existsSync, statSync } from "node:fs";
import { join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { importOnnx } from "../../src/onnx/import.js";
import { onnx, decodeModel, num, tensorValues, typeName, type ModelProto, type TensorProto } from "../../src/onnx/proto.js";
import { Fp32Network } from "../../src/exec/fp32-network.js";
import { loadKernels } from "../../src/runtime/wasm-source-node.js";
import { OctetError } from "../../src/errors.js";
import type { BuildFlavor } from "../../src/runtime/kernels.js";

/** Where Debian's libonnx-testdata puts the test folders (/usr/include/onnx/backend/test/data links here). */
export const DEFAULT_DATA_ROOT = "/usr/share/libonnx-testdata/data";
/** Overrides the data folder (a checkout of onnx/backend/test/data, say). */
export const DATA_ROOT_ENV = "OCTET_ONNX_BACKEND_DATA";
/** The test suites with model.onnx folders; `real` holds only download links (data.json). */
export const SUITES = ["node", "pytorch-converted", "pytorch-operator", "simple"] as const;
export const RTOL = 1e-4;
export const ATOL = 1e-5;
export const STATUSES = ["pass", "fail", "unsupported", "not-applicable", "crash"] as const;
export type Status = (typeof STATUSES)[number];

/** Where the committed list of passing tests lives, relative to the repository root. */
export const EXPECTED_PASS_FILE = "test/onnx-backend/expected-pass.txt";
/** A test id: suite/test_name. */
export const TEST_ID = /^(node|pytorch-converted|pytorch-operator|simple)\/test_[A-Za-z0-9_]+$/;

export interface BackendTest {
  /** "node/test_relu": suite and folder name. */
  id: string;
  suite: string;
  dir: string;
}

export type Outcome =
  | { status: "pass"; maxError: number }
  | {
    status: "fail";
    /** Largest |actual - expected| (Infinity when a value is NaN or infinite on one side only, or the shapes differ). */
    maxError: number;
    /** The element furthest outside the tolerance, or why the output could not be compared. */
    detail: string;
  }
  | {
    status: "unsupported"; phase: Phase; code: string;
    /** The message's first line. */
    message: string;
    /** Its second line, trimmed, when the first ends with ":" (the first node of a list of refused nodes); else "". */
    first: string;
  }
  | { status: "not-applicable"; reason: string }
  | { status: "crash"; phase: Phase; error: string; stack: string };

/** Where an error was thrown: import (reading model.onnx, importOnnx), harness (fitting the test to octet's form, reading its data), build (new Fp32Network), run (its run and the comparison). */
export type Phase = "import" | "harness" | "build" | "run";

export interface TestResult {
  test: BackendTest;
  /** The model's op types, sorted, each once ("Conv", "Add+Conv+Relu"); "?" when the model was unreadable. */
  ops: string;
  /** How the test was fitted to octet's form: inputs bound to their test values, shapes from the data, a lower rank lifted to 4. */
  adapted: string[];
  outcome: Outcome;
  ms: number;
}

export interface RunOptions {
  /** Bind inputs after the first to their test values (default true); false makes such tests not-applicable. */
  bindExtraInputs?: boolean;
  /** See a rank 0-3 input of a model of elementwise ops only as rank 4 (default true); false makes such tests not-applicable. */
  liftElementwise?: boolean;
  /**
   * Exploration only (never for expected-pass.txt): a model whose ONNX opset
   * is below this is read as this opset. Sound only for ops whose definition
   * did not change between the two (Conv, pooling, most activations); the
   * report's --raise-opset shows what octet would do with the old PyTorch tests.
   */
  raiseOpset?: number;
  /** Kernel build (default "release"; "debug" checks every kernel's memory accesses). */
  flavor?: BuildFlavor;
}

/** The data folder: $OCTET_ONNX_BACKEND_DATA, else Debian's. */
export function dataRoot(env: NodeJS.ProcessEnv = process.env): string {
  return resolve(env[DATA_ROOT_ENV] || DEFAULT_DATA_ROOT);
}

/** Whether `root` holds at least one of the suites. */
export function hasData(root: string): boolean {
  return SUITES.some((s) => existsSync(join(root, s)));
}

/** Every folder under the suites with a model.onnx, sorted by id. */
export function discover(root: string): BackendTest[] {
  const tests: BackendTest[] = [];
  for (const suite of SUITES) {
    const base = join(root, suite);
    if (!existsSync(base)) continue;
    for (const name of readdirSync(base)) {
      const dir = join(base, name);
      if (!statSync(dir).isDirectory() || !existsSync(join(dir, "model.onnx"))) continue;
      tests.push({ id: `${suite}/${name}`, suite, dir });
    }
  }
  return tests.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
}

/** The first line of a message. */
export function firstLine(message: string): string {
  const i = message.indexOf("\n");
  return i < 0 ? message : message.slice(0, i);
}

/** numpy.allclose on one pair (NaN equals NaN, an infinity equals itself, as assert_allclose). */
export function close(a: number, e: number, rtol = RTOL, atol = ATOL): boolean {
  if (Number.isNaN(a) || Number.isNaN(e)) return Number.isNaN(a) && Number.isNaN(e);
  if (!Number.isFinite(a) || !Number.isFinite(e)) return a === e;
  return Math.abs(a - e) <= atol + rtol * Math.abs(e);
}

export interface Comparison {
  ok: boolean;
  maxError: number;
  detail: string;
}

/** Compares two arrays of equal length with `close`; the detail names the element furthest outside the tolerance. */
export function compare(actual: ArrayLike<number>, expected: ArrayLike<number>, rtol = RTOL, atol = ATOL): Comparison {
  let maxError = 0, worst = -1, worstExcess = -Infinity, bad = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!, e = expected[i]!;
    if (close(a, e, rtol, atol)) {
      if (Number.isFinite(a - e)) maxError = Math.max(maxError, Math.abs(a - e));
      continue;
    }
    bad++;
    const err = Math.abs(a - e);
    const excess = Number.isFinite(err) ? err - (atol + rtol * Math.abs(e)) : Infinity;
    maxError = Math.max(maxError, Number.isNaN(err) ? Infinity : err);
    if (excess > worstExcess || worst < 0) [worst, worstExcess] = [i, excess];
  }
  if (bad === 0) return { ok: true, maxError, detail: "" };
  return {
    ok: false, maxError,
    detail: `${bad} of ${expected.length} values differ; worst at ${worst}: ${actual[worst]} vs expected ${expected[worst]}`,
  };
}

/** The model to import once fitted to octet's form, what was changed, and input 0's values. */
interface Prepared {
  bytes: Uint8Array;
  adapted: string[];
  /** Input 0's values and (lifted) dims. */
  input: { dims: number[]; data: Float32Array };
}

class NotApplicable {
  constructor(readonly reason: string) {}
}

function readTensor(path: string): TensorProto {
  try {
    return onnx.TensorProto.decode(readFileSync(path));
  } catch (e) {
    throw new NotApplicable(`${relative(process.cwd(), path) || path}: not a readable TensorProto (${(e as Error).message})`);
  }
}

function floatValues(t: TensorProto, where: string): { dims: number[]; data: Float32Array } {
  if (t.dataType !== onnx.TensorProto.DataType.FLOAT) throw new NotApplicable(`${where} is ${typeName(t.dataType ?? 0)}, not float`);
  try {
    const v = tensorValues(t, where);
    return { dims: v.dims, data: v.values as Float32Array };
  } catch (e) {
    // Test data octet's tensor reader cannot take: the test cannot be run, no verdict on octet.
    if (e instanceof OctetError) throw new NotApplicable(`test data: ${firstLine(e.message)}`);
    throw e;
  }
}

/** The test data's tensors of one kind ("input", "output"), in index order. */
function dataFiles(dir: string, kind: "input" | "output"): string[] {
  const set = join(dir, "test_data_set_0");
  if (!existsSync(set)) return [];
  const files: string[] = [];
  for (let k = 0; existsSync(join(set, `${kind}_${k}.pb`)); k++) files.push(join(set, `${kind}_${k}.pb`));
  return files;
}

/**
 * Ops that act on each value alone (with scalar parameters), so that a tensor
 * of rank below 4 may be seen as [N, C, H, W] with trailing 1s without
 * changing any value; a binary one only when its other operand has the same
 * shape or one value.
 */
export const ELEMENTWISE_OPS = new Set([
  "Abs", "Acos", "Acosh", "Asin", "Asinh", "Atan", "Atanh", "Ceil", "Celu", "Clip", "Cos", "Cosh", "Dropout", "Elu", "Erf", "Exp",
  "Floor", "HardSigmoid", "HardSwish", "Identity", "LeakyRelu", "Log", "Mish", "Neg", "Reciprocal", "Relu", "Round", "Selu",
  "Shrink", "Sigmoid", "Sign", "Sin", "Sinh", "Softplus", "Softsign", "Sqrt", "Tan", "Tanh", "ThresholdedRelu",
  "Add", "Sub", "Mul", "Div", "Pow", "Max", "Min", "Mean", "Sum",
]);

const volumeOf = (dims: number[]) => dims.reduce((a, b) => a * b, 1);
const sameDims = (a: number[], b: number[]) => a.length === b.length && a.every((d, k) => d === b[k]);

function prepare(test: BackendTest, proto: ModelProto, bytes: Uint8Array, options: RunOptions): Prepared {
  const bind = options.bindExtraInputs ?? true;
  const lift = options.liftElementwise ?? true;
  const g = proto.graph!;
  const inits = new Set((g.initializer ?? []).map((t) => t.name ?? ""));
  const inputs = (g.input ?? []).filter((i) => !inits.has(i.name ?? ""));
  const outputs = g.output ?? [];
  if (inputs.length === 0) throw new NotApplicable("the model has no input (octet computes its output from one input)");
  if (outputs.length !== 1) throw new NotApplicable(`the model has ${outputs.length} outputs; octet's models have one`);
  const outType = outputs[0]!.type?.tensorType?.elemType ?? 0;
  if (outType !== onnx.TensorProto.DataType.FLOAT) throw new NotApplicable(`output ${outputs[0]!.name} is ${typeName(outType)}, not float`);
  const first = inputs[0]!;
  const elem = first.type?.tensorType?.elemType ?? 0;
  if (elem !== onnx.TensorProto.DataType.FLOAT) throw new NotApplicable(`input ${first.name} is ${typeName(elem)}, not float`);
  if (inputs.length > 1 && !bind) throw new NotApplicable(`${inputs.length} inputs that are not initializers; octet's models have one`);
  const inFiles = dataFiles(test.dir, "input");
  if (inFiles.length !== inputs.length) throw new NotApplicable(`test_data_set_0 has ${inFiles.length} inputs for ${inputs.length} graph inputs`);
  const input = floatValues(readTensor(inFiles[0]!), `${test.id} input_0`);
  const declared = first.type?.tensorType?.shape?.dim;
  if (declared && declared.length !== input.dims.length) throw new NotApplicable(`input ${first.name} has rank ${declared.length}, input_0 rank ${input.dims.length}`);
  const extras = inputs.slice(1).map((v, k) => {
    const t = readTensor(inFiles[k + 1]!);
    t.name = v.name ?? "";
    return t;
  });
  const adapted: string[] = [];
  let changed = false;
  if (options.raiseOpset) {
    const set = (proto.opsetImport ?? []).find((o) => !o.domain || o.domain === "ai.onnx");
    const version = set ? num(set.version) : 0;
    if (set && version < options.raiseOpset) {
      set.version = options.raiseOpset;
      adapted.push(`opset ${version} read as ${options.raiseOpset}`);
      changed = true;
    }
  }
  let dims = input.dims;
  if (dims.length !== 4) {
    const ops = (g.node ?? []).map((n) => n.opType ?? "");
    // Every other operand (bound inputs and the model's initializers; a Constant node is not elementwise) must keep
    // its meaning: one value broadcasts to any rank; a tensor of input 0's shape is lifted with it.
    const operands = [...extras, ...(g.initializer ?? [])];
    const operandDims = operands.map((t) => (t.dims ?? []).map((d) => num(d)));
    const elementwise = lift && dims.length < 4 && ops.length > 0 && ops.every((op) => ELEMENTWISE_OPS.has(op)) &&
      operandDims.every((d) => (volumeOf(d) === 1 && d.length <= 4) || sameDims(d, dims));
    const lifted = [...dims, 1, 1, 1, 1].slice(0, 4);
    if (elementwise) {
      operands.forEach((t, k) => {
        if (sameDims(operandDims[k]!, dims)) t.dims = lifted;
      });
      adapted.push(`${first.name} [${dims.join(", ")}] seen as [${lifted.join(", ")}] (elementwise ops only)`);
    } else if (lift && dims.length === 2) {
      // [N, F] as the Flatten of an input [N, F, 1, 1]: the same values, whatever the model does with them.
      const inner = first.name ?? "";
      const outer = `${inner}__nchw`;
      if ((g.input ?? []).some((v) => v.name === outer) || (g.node ?? []).some((n) => (n.output ?? []).includes(outer))) {
        throw new NotApplicable(`input ${inner} has rank 2, and the name ${outer} is taken`);
      }
      const axis = { name: "axis", type: onnx.AttributeProto.AttributeType.INT, i: 1 };
      g.node = [onnx.NodeProto.create({ name: outer, opType: "Flatten", input: [outer], output: [inner], attribute: [axis] }), ...(g.node ?? [])];
      first.name = outer;
      adapted.push(`${inner} [${dims.join(", ")}] fed as the Flatten of [${lifted.join(", ")}]`);
    } else {
      throw new NotApplicable(`input ${first.name} has rank ${dims.length}; octet's input is [N, C, H, W]`);
    }
    dims = lifted;
    changed = true;
  }
  if (dims.some((d) => d < 1)) throw new NotApplicable(`input_0 [${input.dims.join(", ")}] is empty`);
  const liftedNow = dims !== input.dims;
  // Fix C, H, W from the data where the model leaves them open or the rank was lifted (the batch may stay dynamic).
  const fixed = !liftedNow && declared && declared.slice(1).every((d) => d.dimValue !== null && d.dimValue !== undefined && num(d.dimValue) > 0);
  if (!fixed) {
    const batch = declared?.[0] ?? { dimValue: dims[0] };
    first.type!.tensorType!.shape = { dim: [batch, ...dims.slice(1).map((d) => ({ dimValue: d }))] };
    if (!liftedNow) adapted.push(`${first.name} shape [${["N", ...dims.slice(1)].join(", ")}] from input_0`);
    changed = true;
  }
  for (const t of extras) {
    g.initializer = [...(g.initializer ?? []), t];
    adapted.push(`${t.name} bound to input_${extras.indexOf(t) + 1}`);
    changed = true;
  }
  return { bytes: changed ? onnx.ModelProto.encode(proto).finish() : bytes, adapted, input: { dims, data: input.data } };
}

function opsOf(proto: ModelProto): string {
  const ops = [...new Set((proto.graph?.node ?? []).map((n) => (n.domain && n.domain !== "ai.onnx" ? `${n.domain}.` : "") + (n.opType ?? "?")))].sort();
  return ops.length ? ops.join("+") : "(no nodes)";
}

function errorText(e: unknown): { error: string; stack: string } {
  if (e instanceof Error) return { error: `${e.name}: ${firstLine(e.message)}`, stack: e.stack ?? "" };
  return { error: `thrown ${typeof e}: ${String(e)}`, stack: "" };
}

/** Runs one test; never throws (a harness failure is a crash too, with its stack). */
export function runTest(test: BackendTest, options: RunOptions = {}): TestResult {
  const started = performance.now();
  const result: TestResult = { test, ops: "?", adapted: [], outcome: { status: "not-applicable", reason: "" }, ms: 0 };
  let phase: Phase = "import";
  try {
    result.outcome = runPhases(test, options, result, (p) => { phase = p; });
  } catch (e) {
    if (e instanceof NotApplicable) result.outcome = { status: "not-applicable", reason: e.reason };
    else if (e instanceof OctetError) {
      const lines = e.message.split("\n");
      const first = lines[0]!.endsWith(":") && lines.length > 1 ? lines[1]!.trim() : "";
      result.outcome = { status: "unsupported", phase, code: e.code, message: lines[0]!, first };
    }
    else result.outcome = { status: "crash", phase, ...errorText(e) };
  }
  result.ms = performance.now() - started;
  return result;
}

function runPhases(test: BackendTest, options: RunOptions, result: TestResult, at: (p: Phase) => void): Outcome {
  const file = `${test.id}/model.onnx`;
  const bytes = new Uint8Array(readFileSync(join(test.dir, "model.onnx")));
  // The importer's own decoder: an unreadable file is its typed error (unsupported).
  const proto = decodeModel(bytes, file);
  result.ops = opsOf(proto);
  at("harness");
  const prepared = prepare(test, proto, bytes, options);
  result.adapted = prepared.adapted;
  const outFiles = dataFiles(test.dir, "output");
  if (outFiles.length !== 1) throw new NotApplicable(`test_data_set_0 has ${outFiles.length} outputs`);
  const expected = floatValues(readTensor(outFiles[0]!), `${test.id} output_0`);

  at("import");
  const model = importOnnx(prepared.bytes, file, {
    readExternal: (location: string) => new Uint8Array(readFileSync(join(test.dir, ...location.split("/")))),
  });

  at("build");
  const [n, c, h, w] = prepared.input.dims as [number, number, number, number];
  const [mc, mh, mw] = model.graph.input.shape;
  if (mc !== c || mh !== h || mw !== w) {
    return { status: "fail", maxError: Infinity, detail: `octet's input is [N, ${mc}, ${mh}, ${mw}], input_0 is [${prepared.input.dims.join(", ")}]` };
  }
  const net = new Fp32Network(loadKernels(options.flavor ?? "release"), model, n);
  at("run");
  net.input(n).set(prepared.input.data);
  net.run(n);
  const actual = net.output(n);
  const outShape = model.shapes.tensors.get(model.graph.output)!;
  const shapeProblem = outputShapeProblem(expected.dims, n, outShape);
  if (shapeProblem) return { status: "fail", maxError: Infinity, detail: shapeProblem };
  const cmp = compare(actual, expected.data);
  return cmp.ok ? { status: "pass", maxError: cmp.maxError } : { status: "fail", maxError: cmp.maxError, detail: cmp.detail };
}

/**
 * Whether octet's output, per image [C, H, W] (a fully connected layer's
 * [O, 1, 1]), holds the expected ONNX tensor: the batch first, then the same
 * values in NCHW order — [N, C, H, W] equal axis by axis, any other rank
 * (the [N, features] of Gemm or Flatten, ReduceMean without keepdims) by count.
 */
export function outputShapeProblem(expected: number[], n: number, chw: [number, number, number]): string {
  const ours = `[${[n, ...chw].join(", ")}]`;
  const theirs = `[${expected.join(", ")}]`;
  const per = chw[0] * chw[1] * chw[2];
  if (expected.length === 0 && n * per === 1) return "";
  if (expected.length === 0 || expected[0] !== n) return `octet's output is ${ours}, expected ${theirs} (batch ${n} first)`;
  if (expected.length === 4 ? expected.slice(1).some((d, k) => d !== chw[k]) : expected.slice(1).reduce((a, b) => a * b, 1) !== per) {
    return `octet's output is ${ours}, expected ${theirs}`;
  }
  return "";
}

/** Runs every test, in order; `progress` sees each result as it ends. */
export function runAll(tests: readonly BackendTest[], options: RunOptions = {}, progress?: (r: TestResult, i: number) => void): TestResult[] {
  return tests.map((t, i) => {
    const r = runTest(t, options);
    progress?.(r, i);
    return r;
  });
}

export interface ExpectedList {
  ids: string[];
  /** Lines that are not test ids, not sorted, or repeated: "line 3: ...". */
  problems: string[];
}

/** Parses expected-pass.txt: one test id a line, sorted, each once; '#' lines and blank lines are comments. */
export function parseExpected(text: string): ExpectedList {
  const ids: string[] = [];
  const problems: string[] = [];
  text.split("\n").forEach((raw, k) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    if (!TEST_ID.test(line)) problems.push(`line ${k + 1}: ${JSON.stringify(line)} is not a test id (suite/test_name)`);
    else if (ids.length && line <= ids[ids.length - 1]!) problems.push(`line ${k + 1}: ${line} is ${line === ids[ids.length - 1] ? "repeated" : "out of order"}`);
    ids.push(line);
  });
  return { ids, problems };
}

/** The file's text: a header, then the passing ids sorted. */
export function formatExpected(results: readonly TestResult[], header: string[]): string {
  const ids = results.filter((r) => r.outcome.status === "pass").map((r) => r.test.id).sort();
  return [...header.map((h) => `# ${h}`), ...ids].join("\n") + "\n";
}

/** The repository root (this file runs from build/test/onnx-backend/ or test/onnx-backend/). */
export function repoRoot(): string {
  const here = fileURLToPath(new URL(".", import.meta.url));
  const parts = resolve(here).split(sep);
  const at = parts.lastIndexOf("build");
  return at > 0 ? parts.slice(0, at).join(sep) || sep : resolve(here, "../..");
}
