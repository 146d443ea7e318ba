// Interleaved timing for a noisy shared machine: contenders run in turns
// (A B C A B C ...) for several rounds, each round a fixed time slice per
// contender; a contender's result is the median over rounds of its
// per-call median, and ratios are medians of per-round ratios. Runs in Node
// and in a page (bench/browser/page.ts), where CPU time is not measured.
import { summarize } from "../src/profiler/reports/stats.js";

export interface Contender {
  name: string;
  /** Images processed by one call. */
  images: number;
  call(): unknown;
}

export interface Timing {
  name: string;
  images: number;
  /** Median per-call time in ms of each round. */
  roundMedians: number[];
  medianMs: number;
  imagesPerSecond: number;
  /** Process CPU time over wall time while this contender ran: above 1 means it used more than one thread (NaN in a page). */
  cpuPerWall: number;
}

const median = (a: number[]) => summarize(a).median;

/** Untimed warm-up per contender before the rounds (OCTET_BENCH_WARMUP_MS shortens a development run). */
const node = typeof process !== "undefined" && typeof process.cpuUsage === "function";
const WARMUP_MS = Number((node ? process.env.OCTET_BENCH_WARMUP_MS : undefined) ?? 300);
/** Process CPU milliseconds (user + system), or NaN in a page. */
const cpuMs = () => {
  if (!node) return NaN;
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function slice(c: Contender, ms: number): Promise<number[]> {
  const times: number[] = [];
  const end = performance.now() + ms;
  while (performance.now() < end || times.length < 3) {
    const t0 = performance.now();
    const r = c.call();
    if (r instanceof Promise) await r;
    times.push(performance.now() - t0);
  }
  return times;
}

export async function interleave(contenders: Contender[], rounds = 5, sliceMs = 250): Promise<Timing[]> {
  for (const c of contenders) await slice(c, WARMUP_MS);
  const per = contenders.map(() => [] as number[]);
  const cpu = contenders.map(() => 0), wall = contenders.map(() => 0);
  for (let r = 0; r < rounds; r++) {
    for (let i = 0; i < contenders.length; i++) {
      const c0 = cpuMs(), t0 = performance.now();
      per[i]!.push(median(await slice(contenders[i]!, sliceMs)));
      cpu[i]! += cpuMs() - c0;
      wall[i]! += performance.now() - t0;
    }
  }
  return contenders.map((c, i) => {
    const m = median(per[i]!);
    return { name: c.name, images: c.images, roundMedians: per[i]!, medianMs: m, imagesPerSecond: (1000 * c.images) / m, cpuPerWall: cpu[i]! / wall[i]! };
  });
}

/** Median over rounds of a.time / b.time: how many times faster b is than a. */
export function speedup(slow: Timing, fast: Timing): number {
  return median(slow.roundMedians.map((t, i) => (t / slow.images) / (fast.roundMedians[i]! / fast.images)));
}

export { median };
