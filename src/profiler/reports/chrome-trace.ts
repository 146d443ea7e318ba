// Chrome trace JSON (opens in Perfetto and chrome://tracing): one track per
// device, every stored enqueue with its nested ranges, times in microseconds.
import type { Profiler } from "../profiler.js";

interface TraceEvent {
  name: string;
  ph: "X" | "M";
  pid: number;
  tid: number;
  ts?: number;
  dur?: number;
  cat?: string;
  args?: Record<string, unknown>;
}

const TRACKS: Record<string, number> = { host: 1, gpu: 2, dla: 3 };
const TRACK_NAMES: Record<number, string> = { 1: "host (ExecutionContext)", 2: "GPU", 3: "DLA" };

export function chromeTrace(p: Profiler, meta: Record<string, unknown> = {}): { traceEvents: TraceEvent[]; displayTimeUnit: string; otherData: Record<string, unknown> } {
  const events: TraceEvent[] = [{ name: "process_name", ph: "M", pid: 1, tid: 0, args: { name: "octet" } }];
  for (const [tid, name] of Object.entries(TRACK_NAMES)) {
    events.push({ name: "thread_name", ph: "M", pid: 1, tid: Number(tid), args: { name } });
    events.push({ name: "thread_sort_index", ph: "M", pid: 1, tid: Number(tid), args: { sort_index: Number(tid) } });
  }
  const origin = p.storedEnqueues > 0 ? p.interval(0, 0)[0] : 0;
  for (let e = 0; e < p.storedEnqueues; e++) {
    p.ranges.forEach((r, i) => {
      const [start, end] = p.interval(i, e);
      if (Number.isNaN(start) || Number.isNaN(end)) return;
      events.push({
        name: r.name, ph: "X", pid: 1, tid: TRACKS[r.device]!, cat: r.kind,
        ts: Math.round((start - origin) * 1000 * 1000) / 1000, dur: Math.round((end - start) * 1000 * 1000) / 1000,
        args: { enqueue: e },
      });
    });
  }
  return { traceEvents: events, displayTimeUnit: "ns", otherData: meta };
}

/**
 * Concurrent streams on one clock: a track per stream (its thread), every
 * enqueue as a range, so a GPU stream's and a DLA stream's enqueues are seen
 * overlapping; a split context (its devices on threads of their own) also
 * has a track per device thread, every step a range on it.
 */
export function streamsTrace(
  streams: { label: string; spans: { start: number; end: number }[]; steps?: { name: string; device: string; start: number; end: number }[] }[],
  meta: Record<string, unknown> = {},
): { traceEvents: TraceEvent[]; displayTimeUnit: string; otherData: Record<string, unknown> } {
  const events: TraceEvent[] = [{ name: "process_name", ph: "M", pid: 2, tid: 0, args: { name: "octet streams" } }];
  const origin = Math.min(...streams.flatMap((s) => s.spans.map((x) => x.start)));
  const at = (ms: number) => Math.round((ms - origin) * 1e6) / 1000;
  let tid = 0;
  const track = (name: string) => {
    tid++;
    events.push({ name: "thread_name", ph: "M", pid: 2, tid, args: { name } });
    events.push({ name: "thread_sort_index", ph: "M", pid: 2, tid, args: { sort_index: tid } });
    return tid;
  };
  for (const s of streams) {
    const t = track(s.label);
    s.spans.forEach((x, e) => events.push({
      name: `enqueue (${s.label})`, ph: "X", pid: 2, tid: t, cat: "enqueue", ts: at(x.start), dur: at(x.end) - at(x.start), args: { enqueue: e },
    }));
    const devices = [...new Set((s.steps ?? []).map((x) => x.device))];
    for (const device of devices) {
      const d = track(`${s.label} ${device.toUpperCase()} thread`);
      for (const x of s.steps!) {
        if (x.device === device) events.push({ name: x.name, ph: "X", pid: 2, tid: d, cat: device, ts: at(x.start), dur: at(x.end) - at(x.start), args: {} });
      }
    }
  }
  return { traceEvents: events, displayTimeUnit: "ns", otherData: meta };
}
