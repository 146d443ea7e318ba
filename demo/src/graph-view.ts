// The placement graph: every step of the schedule left to right, compute
// steps coloured by device, reformatters and copies drawn on the edges they
// serve, named as TensorRT names them.
import type { Plan, ScheduleNode } from "../../src/index.js";

const COLORS: Record<string, string> = { gpu: "var(--gpu)", dla: "var(--dla)" };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function renderGraph(plan: Plan): string {
  const nodes: ScheduleNode[] = plan.nodes;
  const boxW = 150, gap = 26, rowH = 96, perRow = 6;
  const width = perRow * (boxW + gap);
  const rows = Math.ceil((nodes.length + 1) / perRow);
  const parts: string[] = [];
  const place = (i: number) => [(i % perRow) * (boxW + gap) + 4, Math.floor(i / perRow) * rowH + 8] as const;
  const items = [{ kind: "input" as const, name: plan.graph.input.name }, ...nodes];
  items.forEach((item, i) => {
    const [x, y] = place(i);
    if (i > 0) {
      const [px, py] = place(i - 1);
      const sameRow = py === y;
      parts.push(sameRow
        ? `<line x1="${px + boxW}" y1="${y + 28}" x2="${x}" y2="${y + 28}" stroke="#999" marker-end="url(#arrow)"/>`
        : `<path d="M${px + boxW / 2} ${py + 56} V${y - 6} H${x + boxW / 2} V${y}" fill="none" stroke="#999" marker-end="url(#arrow)"/>`);
    }
    if (item.kind === "input") {
      parts.push(`<rect x="${x}" y="${y}" width="${boxW}" height="56" rx="28" fill="#eee" stroke="#999"/><text x="${x + boxW / 2}" y="${y + 32}" text-anchor="middle" font-size="12">input ${esc(item.name)}</text>`);
      return;
    }
    const n = item as ScheduleNode;
    const color = n.kind === "compute" ? COLORS[n.device]! : "var(--move)";
    const title = n.kind === "compute" ? n.name : n.kind === "copy" ? `copy ${n.from.device}→${n.to.device}` : "reformat";
    const detail = n.kind === "compute"
      ? `${n.device.toUpperCase()} ${n.step.precision.toUpperCase()}`
      : n.kind === "copy" ? `${n.from.tensor}` : `${n.from.format.layout}→${n.to.format.layout}`;
    const cls = n.kind === "compute" ? "step" : "move";
    parts.push(`<g class="${cls}" data-kind="${n.kind}" data-device="${n.device}"><title>${esc(n.name)}${n.kind !== "compute" ? ` (edge ${esc(n.edge.producer)} → ${esc(n.edge.consumer)})` : ""}</title>` +
      `<rect x="${x}" y="${y}" width="${boxW}" height="56" rx="${n.kind === "compute" ? 6 : 20}" fill="${color}" opacity="${n.kind === "compute" ? 1 : 0.85}"/>` +
      `<text x="${x + boxW / 2}" y="${y + 24}" text-anchor="middle" font-size="${title.length > 22 ? 9 : 11}" fill="#fff">${esc(title.length > 34 ? title.slice(0, 33) + "…" : title)}</text>` +
      `<text x="${x + boxW / 2}" y="${y + 42}" text-anchor="middle" font-size="10" fill="#fff">${esc(detail)}</text></g>`);
  });
  return `<svg viewBox="0 0 ${width} ${rows * rowH + 8}" role="img" aria-label="placement graph">` +
    `<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto"><path d="M0 0 L10 5 L0 10 z" fill="#999"/></marker></defs>` +
    parts.join("") + `</svg>`;
}
