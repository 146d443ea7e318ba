// TensorRT's calibration table, byte for byte:
//   TRT-<version>-<Algorithm>
//   <tensor>: <hex of the IEEE-754 bits of the f32 scale>
// One line per tensor. Tensor names may contain spaces and colons (TensorRT
// writes "(Unnamed Layer* 3) [Activation]_output"), so the value is taken
// after the last ": ".
import { fail } from "../errors.js";
import type { CalibrationAlgorithm } from "./algorithms.js";

/** The TensorRT version octet writes in its headers (8.6.1). */
export const TRT_VERSION = "8601";

const HEADER_NAMES: Record<CalibrationAlgorithm, string> = {
  entropy: "EntropyCalibration2",
  minmax: "MinMaxCalibration",
  percentile: "PercentileCalibration",
};

export interface CalibrationTable {
  version: string;
  /** TensorRT's algorithm name from the header, e.g. EntropyCalibration2. */
  algorithmName: string;
  /** octet's algorithm for that name, when it has one. */
  algorithm: CalibrationAlgorithm | undefined;
  scales: Map<string, number>;
}

export function headerName(algorithm: CalibrationAlgorithm): string {
  return HEADER_NAMES[algorithm];
}

export function writeCalibrationTable(algorithm: CalibrationAlgorithm, scales: Map<string, number>): string {
  const lines = [`TRT-${TRT_VERSION}-${HEADER_NAMES[algorithm]}`];
  for (const [name, scale] of scales) lines.push(`${name}: ${f32Hex(scale)}`);
  return lines.join("\n") + "\n";
}

export function parseCalibrationTable(text: string, file: string): CalibrationTable {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  const header = /^TRT-(\d+)-(\w+)$/.exec(lines[0] ?? "");
  if (!header) {
    fail("BAD_ARGUMENT", `${file}:1: calibration cache header is ${JSON.stringify(short(lines[0] ?? ""))}, expected TRT-<version>-<Algorithm> (e.g. TRT-8601-EntropyCalibration2)`);
  }
  const algorithmName = header[2]!;
  const algorithm = (Object.keys(HEADER_NAMES) as CalibrationAlgorithm[]).find((a) => HEADER_NAMES[a] === algorithmName);
  const scales = new Map<string, number>();
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i]!;
    const at = line.lastIndexOf(": ");
    const hex = at < 0 ? "" : line.slice(at + 2);
    const name = at < 0 ? "" : line.slice(0, at);
    if (!name || !/^[0-9a-fA-F]{1,8}$/.test(hex)) {
      fail("BAD_ARGUMENT", `${file}:${i + 1}: malformed line ${JSON.stringify(short(line))}, expected "<tensor>: <8 hex digits>"`);
    }
    const scale = hexF32(hex);
    const problem = scaleProblem(scale);
    if (problem) fail("BAD_ARGUMENT", `${file}:${i + 1}: tensor ${short(name)}: scale ${scale} (${hex}) ${problem}; expected ${SCALE_RANGE}`);
    if (scales.has(name)) fail("BAD_ARGUMENT", `${file}:${i + 1}: tensor ${short(name)} appears twice`);
    scales.set(name, scale);
  }
  return { version: header[1]!, algorithmName, algorithm, scales };
}

/** Scales octet accepts: positive normal f32 values up to 2^64 (larger would quantize every value to 0). */
export const MIN_SCALE = 2 ** -126;
export const MAX_SCALE = 2 ** 64;
const SCALE_RANGE = "a positive normal f32 scale in 2^-126..2^64";

/** Why `s` cannot be a quantization scale, or null when it can. */
export function scaleProblem(s: number): string | null {
  if (Number.isNaN(s)) return "is not a number";
  if (!Number.isFinite(s)) return "is infinite";
  if (s < 0 || Object.is(s, -0)) return "is negative";
  if (s === 0) return "is zero (a zero scale cannot quantize)";
  if (s < MIN_SCALE) return "is subnormal (below 2^-126)";
  if (s > MAX_SCALE) return "is larger than 2^64";
  return null;
}

function short(s: string): string {
  return s.length > 80 ? `${s.slice(0, 80)}…` : s;
}

export function f32Hex(value: number): string {
  const view = new DataView(new ArrayBuffer(4));
  view.setFloat32(0, value);
  return view.getUint32(0).toString(16).padStart(8, "0");
}

export function hexF32(hex: string): number {
  const view = new DataView(new ArrayBuffer(4));
  view.setUint32(0, parseInt(hex, 16));
  return view.getFloat32(0);
}
