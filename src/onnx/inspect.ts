// What octet makes of an ONNX model, node by node, without failing on the
// first node it cannot take (as Polygraphy's `inspect capability` does for
// TensorRT): each node's op, output shape and the octet layer it became, or
// "folded into X", "absorbed", "unsupported: why", and for each layer the
// devices that could run it and why not. `octet inspect` prints it.
import { shortText } from "../model/graph.js";
import { dlaRefusal, int8Refusal, type DlaVersion } from "../builder/capabilities.js";
import type { Model } from "../model/model.js";
import { runImport, problemsMessage, type ImportOptions, type NodeOutcome, type NodeRow } from "./import.js";

export interface InspectRow {
  index: number;
  name: string;
  op: string;
  /** The first output's shape, ONNX-style: "[N, 16, 14, 14]". */
  output: string;
  /** What the node became, in words. */
  octet: string;
  outcome: NodeOutcome;
}

export interface Inspection {
  file: string;
  opset: number;
  input: string;
  rows: InspectRow[];
  notes: string[];
  /** Nodes octet cannot import. */
  unsupported: number;
  /** The imported model, when the import finishes. */
  model?: Model;
  /** Why the import does not finish (every unsupported node, or the graph check that fails), when it does not. */
  error?: string;
}

export function outcomeText(o: NodeOutcome): string {
  switch (o.kind) {
    case "layer": return `${o.type} ${shortText(o.layer)}`;
    case "folded": return `folded into ${shortText(o.into)} (${o.how})`;
    case "absorbed": return `absorbed (${o.how})`;
    case "constant": return "constant";
    case "dropped": return `dropped (${o.why})`;
    case "unsupported": return `unsupported: ${o.why}`;
    case "skipped": return `not imported: ${o.why}`;
  }
}

/** The per-node report; throws only for a file that is no usable ONNX model at all (unreadable, opset, inputs, initializers). */
export function inspectOnnx(bytes: Uint8Array, file: string, options: ImportOptions = {}): Inspection {
  const r = runImport(bytes, file, options);
  const rows = r.rows.map((row: NodeRow) => ({ ...row, octet: outcomeText(row.outcome) }));
  const inspection: Inspection = { file, opset: r.opset, input: r.input, rows, notes: r.notes, unsupported: r.problems.length };
  if (r.problems.length > 0) inspection.error = problemsMessage(file, r.problems, r.rows.length);
  else if (r.error) inspection.error = r.error.message;
  if (r.model) inspection.model = r.model;
  return inspection;
}

/**
 * Where a layer could run, Polygraphy-style: the GPU in INT8 or why FP32, and
 * the DLA (Xavier's and Orin's rules) or the rule that refuses it. The rules
 * that compare INT8 ranges need calibration, so they are judged at build.
 */
export function deviceCapability(model: Model, layerName: string): string {
  const layer = model.graph.layers.find((l) => l.name === layerName)!;
  const shapes = model.shapes.layers.get(layerName)!;
  const int8 = layer.type === "softmax" ? "softmax runs in FP32 unless --layer-precision asks INT8" : int8Refusal(layer, shapes);
  const gpu = int8 === null ? "GPU INT8" : `GPU FP32 (${int8})`;
  const dla = (version: DlaVersion) => dlaRefusal(layer, shapes, int8 === null ? "int8" : "fp32", { version });
  const xavier = dla("xavier"), orin = dla("orin");
  const dlaText = xavier === null ? "DLA" : `not DLA: ${xavier}`;
  const orinText = orin === xavier ? "" : orin === null ? "; Orin DLA" : `; Orin: ${orin}`;
  return `${gpu}; ${dlaText}${orinText}`;
}

const WIDTHS = { name: 48, op: 20, output: 22 };

function cell(text: string, width: number): string {
  return text.length > width ? `${text.slice(0, width - 1)}…` : text.padEnd(width);
}

/** The report as text lines: a header, one row per node, the import's notes, and the verdict. */
export function formatInspection(i: Inspection): string[] {
  const lines = [`[I] ${i.file}: ONNX opset ${i.opset}, input ${i.input}, ${i.rows.length} nodes`];
  const nameW = Math.min(WIDTHS.name, Math.max(4, ...i.rows.map((r) => r.name.length)));
  const opW = Math.min(WIDTHS.op, Math.max(2, ...i.rows.map((r) => r.op.length)));
  const outW = Math.min(WIDTHS.output, Math.max(12, ...i.rows.map((r) => r.output.length)));
  const idxW = String(i.rows.length).length;
  lines.push(`${"#".padStart(idxW)}  ${cell("node", nameW)}  ${cell("op", opW)}  ${cell("output shape", outW)}  octet`);
  for (const r of i.rows) {
    const devices = i.model && r.outcome.kind === "layer" ? `  [${deviceCapability(i.model, r.outcome.layer)}]` : "";
    lines.push(`${String(r.index).padStart(idxW)}  ${cell(r.name, nameW)}  ${cell(r.op, opW)}  ${cell(r.output, outW)}  ${r.octet}${devices}`);
  }
  for (const n of i.notes) lines.push(`[I] ${n}`);
  if (i.model) {
    const counts = new Map<string, number>();
    for (const l of i.model.graph.layers) counts.set(l.type, (counts.get(l.type) ?? 0) + 1);
    const list = [...counts].map(([t, n]) => `${t} ${n}`).join(", ");
    lines.push(`[I] Imports as ${i.model.graph.layers.length} octet layers (${list})${i.model.quantization ? `, ${i.model.quantization.scales.size} activation scales from QDQ nodes` : ""}`);
  } else if (i.unsupported > 0) {
    lines.push(`[E] Does not import: ${i.unsupported} of ${i.rows.length} nodes are unsupported (above)`);
  } else {
    lines.push(`[E] Does not import: ${i.error}`);
  }
  return lines;
}
