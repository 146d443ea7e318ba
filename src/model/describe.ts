// Short descriptions of values found in files, for error messages: never
// the whole of a large or deeply nested value.
import { fail } from "../errors.js";
import { positionDeeperThan } from "../util/json-depth.js";

type Json = Record<string, unknown>;

/** Deepest JSON nesting a graph document may have (a graph needs 4 levels). */
export const MAX_JSON_DEPTH = 64;

/** Refuses JSON nested deeper than MAX_JSON_DEPTH, scanning the text before JSON.parse builds anything. */
export function checkJsonDepth(text: string, file: string, limit = MAX_JSON_DEPTH): void {
  const at = positionDeeperThan(text, limit);
  if (at >= 0) fail("MODEL_FORMAT", `${file}: JSON nested more than ${limit} levels deep (at character ${at}); a graph needs 4`);
}

/** A short description of a found value for error messages: JSON, cut at about `max` characters. */
export function describeValue(v: unknown, max = 60): string {
  if (typeof v === "string") return v.length > max ? `${JSON.stringify(v.slice(0, max))}…` : JSON.stringify(v);
  const out: string[] = [];
  let length = 0;
  const emit = (s: string): boolean => {
    out.push(s);
    length += s.length;
    return length <= max;
  };
  const write = (x: unknown, depth: number): boolean => {
    if (x === undefined) return emit("(missing)");
    if (typeof x === "string") return emit(x.length > max ? `${JSON.stringify(x.slice(0, max))}…` : JSON.stringify(x));
    if (typeof x !== "object" || x === null) return emit(typeof x === "number" || typeof x === "boolean" || x === null ? String(x) : typeof x);
    if (depth > 8) return emit("…");
    if (Array.isArray(x)) {
      if (!emit("[")) return false;
      for (let i = 0; i < x.length; i++) if ((i > 0 && !emit(",")) || !write(x[i], depth + 1)) return false;
      return emit("]");
    }
    if (!emit("{")) return false;
    let first = true;
    for (const k in x) {
      if (!first && !emit(",")) return false;
      first = false;
      if (!emit(`${JSON.stringify(shortText(k))}:`) || !write((x as Json)[k], depth + 1)) return false;
    }
    return emit("}");
  };
  const complete = write(v, 0);
  const text = out.join("");
  return complete ? text : `${text.slice(0, max)}…`;
}

/** A name cut to a readable length for messages. */
export function shortText(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}…` : s;
}
