// FP32 and INT8 accuracy side by side, and sample_int8's verdict.
import type { Evaluation } from "../../exec/evaluate.js";
import { table } from "./table.js";

const r = (v: number) => v.toFixed(4);

export function accuracyReport(fp32: Evaluation, int8: Evaluation): string[] {
  const d = (a: number, b: number) => `${b - a >= 0 ? "+" : ""}${(b - a).toFixed(4)}`;
  return table(["Accuracy", "FP32", "INT8", "INT8 - FP32"], [
    ["top-1", r(fp32.top1), r(int8.top1), d(fp32.top1, int8.top1)],
    ["top-5", r(fp32.top5), r(int8.top5), d(fp32.top5, int8.top5)],
  ]).map((l) => `[I] ${l}`);
}

/**
 * sample_int8's rule, FP32 top-1 >= 0.99 and INT8 within 0.01 of it, holds
 * for LeNet on MNIST (`withFloor`); for other models and data only the
 * INT8 - FP32 part applies. The verdict says which rule it applied.
 */
export function sampleInt8Verdict(fp32: Evaluation, int8: Evaluation, withFloor = true): { passed: boolean; line: string } {
  const gap = Math.abs(fp32.top1 - int8.top1);
  const floorOk = !withFloor || fp32.top1 >= 0.99;
  const passed = floorOk && gap <= 0.01;
  const floor = withFloor ? `FP32 top-1 ${r(fp32.top1)} ${fp32.top1 >= 0.99 ? ">=" : "<"} 0.99, ` : "";
  const rule = withFloor ? "sample_int8's rule for LeNet on MNIST" : "rule for other models and data: INT8 within 0.01 of FP32";
  return {
    passed,
    line: `[I] sample_int8 check: ${passed ? "PASSED" : "FAILED"} (${floor}|FP32 - INT8| = ${gap.toFixed(4)} ${gap <= 0.01 ? "<=" : ">"} 0.01; ${rule})`,
  };
}
