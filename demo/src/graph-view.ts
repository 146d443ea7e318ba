// The placement graph: the plan's schedule as a DAG laid out by dagre
// (@dagrejs/dagre), left to right. Nodes are the network input and output,
// the compute steps coloured by device (a DLA subgraph is one node listing
// its layers; a GPU step lists the layers fused into it), and the
// reformatters and copies TensorRT inserts, named as TensorRT names them.
// Edges follow the values the nodes read and write: a node's input value
// (tensor, device, format) comes from the node that wrote that very value.
import dagre from "@dagrejs/dagre";
import { formatName, F32_NCHW, type Format, type Plan, type ScheduleNode } from "../../src/index.js";

const COLORS: Record<string, string> = { gpu: "var(--gpu)", dla: "var(--dla)" };
/** Layers a DLA subgraph node lists before "… n more". */
const MAX_LISTED = 12;
const LINE = 13, PAD = 7, CHAR = 6.1;

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

/** ONNX names ("/block1/conv2/conv2.0/Conv") without the leading slash, long ones cut at the front. */
function short(name: string, max = 30): string {
  const s = name.replace(/^\//, "");
  return s.length > max ? "…" + s.slice(s.length - max + 1) : s;
}

interface Box {
  id: string;
  cls: "step" | "move" | "io";
  attrs: Record<string, string>;
  fill: string;
  rx: number;
  title: string;
  lines: string[];
  tooltip: string;
}

type Value = { tensor: string; device: string; format: Format };
const key = (v: Value) => `${v.tensor}|${v.device}|${formatName(v.format)}`;

function box(n: ScheduleNode, i: number): Box {
  const id = `n${i}`;
  if (n.kind === "compute") {
    const layers = n.step.layers.map((p) => p.layer);
    const types = [...new Set(layers.map((l) => l.type))].join(" ");
    const attrs = { kind: "compute", device: n.device, types, inputs: String(n.from.length), outputs: String(n.to.length), layers: String(layers.length), ops: String(layers.length - n.step.fusedRelus.length) };
    const precision = n.step.precision.toUpperCase();
    if (n.device === "dla") {
      // One line per layer as the DLA runs them: a ReLU fused into its conv / fc on that layer's line ("ip1 + relu1").
      const fused = new Set(n.step.fusedRelus);
      const ops: string[] = [];
      const lineOf = new Map<string, number>();
      for (const l of layers) {
        const at = fused.has(l.name) ? lineOf.get(l.inputs[0]!) : undefined;
        if (at !== undefined) ops[at] += ` + ${l.name.split("/").pop()}`;
        else {
          lineOf.set(l.output, ops.length);
          ops.push(short(l.name));
        }
      }
      const listed = ops.slice(0, ops.length > MAX_LISTED ? MAX_LISTED - 1 : MAX_LISTED);
      if (listed.length < ops.length) listed.push(`… ${ops.length - listed.length} more`);
      return { id, cls: "step", attrs, fill: COLORS.dla!, rx: 6, title: `DLA subgraph · ${layers.length} layer${layers.length > 1 ? "s" : ""}`, lines: [...listed, `DLA ${precision} nc32hw32`], tooltip: n.name };
    }
    // A fused GPU step under TensorRT's name ("ip1 + relu1"), or its layers one a line when that is long.
    const listed = n.name.length <= 26 ? [] : layers.map((l) => short(l.name));
    const title = listed.length > 0 ? `fused · ${layers.length} layers` : short(n.name);
    return { id, cls: "step", attrs, fill: COLORS[n.device]!, rx: 6, title, lines: [...listed, `${n.device.toUpperCase()} ${precision} ${n.to[0]!.format.layout}`], tooltip: n.name };
  }
  const attrs = { kind: n.kind, device: n.device, tensor: n.from.tensor };
  const tooltip = `${n.name} (edge ${n.edge.producer} → ${n.edge.consumer})`;
  if (n.kind === "copy") return { id, cls: "move", attrs, fill: "var(--move)", rx: 14, title: `copy ${n.from.device}→${n.to.device}`, lines: [short(n.from.tensor, 26)], tooltip };
  const [a, b] = [n.from.format, n.to.format];
  return { id, cls: "move", attrs, fill: "var(--move)", rx: 14, title: "reformat", lines: [`${a.layout}→${b.layout}`, ...(a.dtype === b.dtype ? [] : [`${formatName(a).split(":")[0]}→${formatName(b).split(":")[0]}`])], tooltip };
}

export function renderGraph(plan: Plan): string {
  const g = new dagre.graphlib.Graph({ multigraph: true });
  g.setGraph({ rankdir: "LR", nodesep: 14, ranksep: 24, edgesep: 8, marginx: 4, marginy: 4 });
  g.setDefaultEdgeLabel(() => ({}));
  const input = plan.graph.input.name, output = plan.graph.output;
  const boxes: Box[] = [
    { id: "in", cls: "io", attrs: { kind: "input", tensor: input }, fill: "#eee", rx: 16, title: "input", lines: [short(input, 26)], tooltip: `network input ${input}` },
    ...plan.nodes.map(box),
    { id: "out", cls: "io", attrs: { kind: "output", tensor: output }, fill: "#eee", rx: 16, title: "output", lines: [short(output, 26)], tooltip: `network output ${output}` },
  ];
  for (const b of boxes) {
    const chars = Math.max(...[b.title, ...b.lines].map((s) => s.length));
    g.setNode(b.id, { width: Math.max(76, Math.ceil(chars * CHAR) + 2 * PAD), height: (b.lines.length + 1) * LINE + 2 * PAD });
  }
  // Edges: each value a node reads, from the node that wrote it (the network input: from "in").
  const writer = new Map<string, string>();
  const edges: { from: string; to: string; tensor: string }[] = [];
  const link = (v: Value, to: string) => {
    const from = writer.get(key(v)) ?? (v.tensor === input ? "in" : undefined);
    if (from) edges.push({ from, to, tensor: v.tensor });
  };
  plan.nodes.forEach((n, i) => {
    const reads = n.kind === "compute" ? n.from : [n.from];
    const writes = n.kind === "compute" ? n.to : [n.to];
    for (const v of reads) link(v, `n${i}`);
    for (const v of writes) writer.set(key(v), `n${i}`);
  });
  link({ tensor: output, device: "gpu", format: F32_NCHW }, "out");
  edges.forEach((e, i) => g.setEdge(e.from, e.to, {}, `e${i}`));
  dagre.layout(g);

  const parts: string[] = [];
  edges.forEach((e, i) => {
    const pts = g.edge(e.from, e.to, `e${i}`).points ?? [];
    let d = `M${pts[0]!.x.toFixed(1)} ${pts[0]!.y.toFixed(1)}`;
    for (let k = 1; k < pts.length - 1; k++) {
      const p = pts[k]!, q = pts[k + 1]!;
      const end = k === pts.length - 2 ? q : { x: (p.x + q.x) / 2, y: (p.y + q.y) / 2 };
      d += ` Q${p.x.toFixed(1)} ${p.y.toFixed(1)} ${end.x.toFixed(1)} ${end.y.toFixed(1)}`;
    }
    if (pts.length === 2) d += ` L${pts[1]!.x.toFixed(1)} ${pts[1]!.y.toFixed(1)}`;
    parts.push(`<path class="edge" data-from="${e.from}" data-to="${e.to}" data-tensor="${esc(e.tensor)}" d="${d}" fill="none" stroke="#999" stroke-width="1.3" marker-end="url(#arrow)"><title>${esc(e.tensor)}</title></path>`);
  });
  for (const b of boxes) {
    const { x, y, width: w, height: h } = g.node(b.id);
    const left = x - w / 2, top = y - h / 2;
    const ink = b.cls === "io" ? "#222" : "#fff";
    const data = Object.entries(b.attrs).map(([k, v]) => ` data-${k}="${esc(v)}"`).join("");
    const text = [b.title, ...b.lines].map((s, k) =>
      `<text x="${x.toFixed(1)}" y="${(top + PAD + (k + 1) * LINE - 3).toFixed(1)}" text-anchor="middle" font-size="${k === 0 ? 11 : 10}"${k === 0 ? ' font-weight="600"' : ""} fill="${ink}">${esc(s)}</text>`).join("");
    parts.push(`<g class="${b.cls}" data-id="${b.id}"${data}><title>${esc(b.tooltip)}</title>` +
      `<rect x="${left.toFixed(1)}" y="${top.toFixed(1)}" width="${w}" height="${h}" rx="${b.rx}" fill="${b.fill}"${b.cls === "io" ? ' stroke="#999"' : ""}${b.cls === "move" ? ' opacity="0.9"' : ""}/>${text}</g>`);
  }
  const { width = 0, height = 0 } = g.graph();
  return `<svg width="${Math.ceil(width)}" height="${Math.ceil(height)}" viewBox="0 0 ${Math.ceil(width)} ${Math.ceil(height)}" role="img" aria-label="placement graph" data-nodes="${boxes.length}" data-edges="${edges.length}">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="#999"/></marker></defs>` +
    parts.join("") + `</svg>`;
}
