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
    fail("BAD_ARGUMENT", `${file}:1: calibration cache header is ${JSON.stringify(lines[0] ?? "")}, expected TRT-<version>-<Algorithm> (e.g. TRT-8601-EntropyCalibration2)`);
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
      fail("BAD_ARGUMENT", `${file}:${i + 1}: malformed line ${JSON.stringify(line)}, expected "<tensor>: <8 hex digits>"`);
    }
    const scale = hexF32(hex);
    if (!Number.isFinite(scale) || scale < 0) fail("BAD_ARGUMENT", `${file}:${i + 1}: tensor ${name}: scale ${scale} is not a finite non-negative number`);
    if (scales.has(name)) fail("BAD_ARGUMENT", `${file}:${i + 1}: tensor ${name} appears twice`);
    scales.set(name, scale);
  }
  return { version: header[1]!, algorithmName, algorithm, scales };
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
