// Where two JSON-like values first differ, as a path ("nodes[3].step.layers[0].pad:
// 2, expected 0"), or null when they are equal. Typed arrays compare by
// content. Depth is bounded by the caller (plans are depth-checked on read).
import { describeFound } from "./fields.js";

type Any = unknown;

export function firstDifference(found: Any, expected: Any, path: string): string | null {
  if (Object.is(found, expected)) return null;
  // Built only when returned: describing every value on the way down costs more than comparing it.
  const mismatch = () => `${path}: ${describeFound(found)}, expected ${describeFound(expected)}`;
  if (typeof found !== "object" || typeof expected !== "object" || found === null || expected === null) return mismatch();
  if (ArrayBuffer.isView(found) || ArrayBuffer.isView(expected)) {
    const a = found as unknown as ArrayLike<number>, b = expected as unknown as ArrayLike<number>;
    if (found.constructor !== expected.constructor || a.length !== b.length) return mismatch();
    for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return `${path}[${i}]: ${a[i]}, expected ${b[i]}`;
    return null;
  }
  if (Array.isArray(found) !== Array.isArray(expected)) return mismatch();
  if (Array.isArray(found)) {
    const b = expected as Any[];
    for (let i = 0; i < Math.min(found.length, b.length); i++) {
      const d = firstDifference(found[i], b[i], `${path}[${i}]`);
      if (d) return d;
    }
    return found.length === b.length ? null : `${path}: ${found.length} entries, expected ${b.length}`;
  }
  const a = found as Record<string, Any>, b = expected as Record<string, Any>;
  for (const key of Object.keys(b)) {
    if (!Object.hasOwn(a, key)) return `${path}.${key}: missing, expected ${describeFound(b[key])}`;
    const d = firstDifference(a[key], b[key], `${path}.${key}`);
    if (d) return d;
  }
  for (const key of Object.keys(a)) if (!Object.hasOwn(b, key)) return `${path}.${key}: unexpected field`;
  return null;
}
