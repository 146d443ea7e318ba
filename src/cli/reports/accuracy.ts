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

/** sample_int8's rule: FP32 top-1 >= 0.99 and INT8 within 0.01 of it. */
export function sampleInt8Verdict(fp32: Evaluation, int8: Evaluation): { passed: boolean; line: string } {
  const passed = fp32.top1 >= 0.99 && Math.abs(fp32.top1 - int8.top1) <= 0.01;
  return {
    passed,
    line: `[I] sample_int8 check: ${passed ? "PASSED" : "FAILED"} (FP32 top-1 ${r(fp32.top1)} ${fp32.top1 >= 0.99 ? ">=" : "<"} 0.99, |FP32 - INT8| = ${Math.abs(fp32.top1 - int8.top1).toFixed(4)} ${Math.abs(fp32.top1 - int8.top1) <= 0.01 ? "<=" : ">"} 0.01)`,
  };
}
