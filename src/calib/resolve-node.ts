// Node-only: where an INT8 build's scales come from. A valid calibration
// cache skips calibration; a cache made with another algorithm is ignored
// (with a message) and rewritten; otherwise calibrate and, when asked, write
// the cache in TensorRT's format.
import { existsSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { OctetError, fail } from "../errors.js";
import type { Model } from "../model/model.js";
import type { ImageSet } from "../data/dataset.js";
import type { Kernels } from "../runtime/kernels.js";
import type { CalibrationInfo } from "../engine/plan.js";
import { parseCalibrationTable, writeCalibrationTable, headerName } from "./cache.js";
import { collectStats, scalesFrom, type CalibrationOptions, type TensorStats } from "./calibrate.js";
import type { CalibrationAlgorithm } from "./algorithms.js";
import { effectiveQuant } from "../engine/scales.js";

export interface ResolveOptions extends CalibrationOptions {
  algorithm: CalibrationAlgorithm;
  cachePath?: string;
  log(line: string): void;
  onProgress?(done: number, total: number): void;
}

export interface ResolvedScales {
  scales: Map<string, number>;
  info: CalibrationInfo;
  /** Present when calibration ran (not when the cache was used). */
  stats?: Map<string, TensorStats>;
}

/**
 * The scales of a model that quantizes itself (QDQ): its own where it has
 * them; the tensors it leaves without one (NVIDIA's form quantizes only
 * layer inputs) from a cache or calibration, named in the log.
 */
export function resolveModelScales(model: Model, calibrationSet: () => ImageSet, kernels: () => Kernels, o: ResolveOptions): ResolvedScales {
  const q = model.quantization!;
  const missing = new Set<string>();
  effectiveQuant(model, q.scales, q.zeroPoints, q.source, new Set(), missing);
  if (missing.size === 0) {
    o.log(`[I] Explicit quantization: ${q.scales.size} activation scales from ${q.source}; skipping calibration`);
    return { scales: q.scales, info: { algorithm: "explicit (QDQ)", source: q.source } };
  }
  const list = [...missing];
  o.log(`[I] Explicit quantization: ${q.scales.size} activation scales from ${q.source}; ${list.length} tensors have none ` +
    `(${list.slice(0, 4).join(", ")}${list.length > 4 ? ", ..." : ""}): they take a cache's or calibration's`);
  const rest = resolveScales({ ...model, quantization: undefined }, calibrationSet, kernels, o);
  const scales = new Map(rest.scales);
  for (const [t, s] of q.scales) scales.set(t, s);
  return { scales, stats: rest.stats, info: { algorithm: rest.info.algorithm, source: `${q.source} and ${rest.info.source}` } };
}

export function resolveScales(model: Model, calibrationSet: () => ImageSet, kernels: () => Kernels, o: ResolveOptions): ResolvedScales {
  if (model.quantization) return resolveModelScales(model, calibrationSet, kernels, o);
  if (o.cachePath && existsSync(o.cachePath)) {
    const table = parseCalibrationTable(readCache(o.cachePath), o.cachePath);
    if (table.algorithmName === headerName(o.algorithm)) {
      o.log(`[I] Calibration cache ${o.cachePath} (TRT-${table.version}-${table.algorithmName}): ${table.scales.size} scales; skipping calibration`);
      return { scales: table.scales, info: { algorithm: o.algorithm, source: `cache ${o.cachePath}` } };
    }
    o.log(`[I] Calibration cache ${o.cachePath} was made with ${table.algorithmName}, not ${headerName(o.algorithm)}: ignoring it and recalibrating`);
  }
  const set = calibrationSet();
  const detail = o.algorithm === "percentile" ? ` (${o.percentile}th percentile)` : "";
  o.log(`[I] Calibrating with ${headerName(o.algorithm)}${detail} on ${o.images} training images in batches of ${o.batch}`);
  const stats = collectStats(kernels(), model, set, o, o.onProgress);
  const scales = scalesFrom(stats, o.algorithm, o.percentile);
  if (o.cachePath) {
    try {
      writeFileSync(o.cachePath, writeCalibrationTable(o.algorithm, scales));
    } catch (e) {
      fail("BAD_OPTION", `${o.cachePath}: cannot write the calibration cache (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
    }
    o.log(`[I] Wrote calibration cache ${o.cachePath}`);
  }
  return { scales, stats, info: { algorithm: o.algorithm, source: `calibrated on ${o.images} training images` } };
}

/** The cache's text; a folder, a device or an unreadable file is a named error, and so is a file too large to be a cache. */
function readCache(path: string): string {
  let size: number;
  try {
    const st = statSync(path);
    if (!st.isFile()) fail("BAD_OPTION", `${path}: the calibration cache is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof OctetError) throw e;
    return fail("BAD_OPTION", `${path}: cannot read the calibration cache (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  if (size > MAX_CACHE_BYTES) fail("BAD_OPTION", `${path}: ${size} bytes is too large for a calibration cache (at most ${MAX_CACHE_BYTES})`);
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    return fail("BAD_OPTION", `${path}: cannot read the calibration cache (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/** A cache holds one line per tensor: 16 MiB is far beyond any network's. */
const MAX_CACHE_BYTES = 16 << 20;
