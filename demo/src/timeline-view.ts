// The timeline of the last enqueue: one track per device (host, GPU, DLA),
// every range as a bar, layers inside a DLA subgraph nested under it.
import type { Profiler } from "../../src/index.js";

const TRACKS = ["host", "gpu", "dla"] as const;
const COLORS: Record<string, string> = { host: "var(--host)", gpu: "var(--gpu)", dla: "var(--dla)" };

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;");
}

export function renderTimeline(p: Profiler): string {
  if (p.storedEnqueues === 0) return "";
  const last = p.storedEnqueues - 1;
  const [t0, t1] = p.interval(0, last);
  const span = Math.max(t1 - t0, 1e-6);
  const W = 1000, label = 60, laneH = 26;
  const parts: string[] = [];
  TRACKS.forEach((track, row) => {
    parts.push(`<text x="4" y="${row * laneH * 2 + 18}" font-size="12">${track.toUpperCase()}</text>`);
  });
  p.ranges.forEach((r, i) => {
    const [s, e] = p.interval(i, last);
    if (Number.isNaN(s) || Number.isNaN(e)) return;
    const row = TRACKS.indexOf(r.device as (typeof TRACKS)[number]);
    const nested = r.kind === "dla-layer" ? 1 : 0;
    const x = label + ((s - t0) / span) * (W - label), w = Math.max(1, ((e - s) / span) * (W - label));
    const y = row * laneH * 2 + nested * laneH + 4;
    const color = r.kind === "reformat" || r.kind === "copy" ? "var(--move)" : COLORS[r.device]!;
    const name = r.kind === "dla-layer" ? r.name.split(" > ")[1]! : r.name;
    parts.push(`<g class="range" data-device="${r.device}" data-kind="${r.kind}"><title>${esc(r.name)}: ${((e - s) * 1000).toFixed(1)} us</title>` +
      `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="${laneH - 4}" fill="${color}" opacity="${nested ? 0.7 : 1}"/>` +
      (w > 40 ? `<text x="${(x + 3).toFixed(1)}" y="${y + 15}" font-size="10" fill="#fff">${esc(name.length > w / 6 ? name.slice(0, Math.floor(w / 6)) + "…" : name)}</text>` : "") + `</g>`);
  });
  parts.push(`<text x="${W - 4}" y="${TRACKS.length * laneH * 2 + 10}" font-size="11" text-anchor="end">${(span * 1000).toFixed(1)} us</text>`);
  return `<svg viewBox="0 0 ${W} ${TRACKS.length * laneH * 2 + 16}" role="img" aria-label="timeline">${parts.join("")}</svg>`;
}
