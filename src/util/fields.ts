// Field checks for JSON read from a file: each names where it looked
// ("lenet.plan: options.device"), what it expected and what it found.
import { fail, type OctetErrorCode } from "../errors.js";
import { describeValue } from "../model/describe.js";

export type Json = Record<string, unknown>;

/** A short description of a found value: never the whole of a large or deep one (typed arrays by type and length). */
export function describeFound(v: unknown): string {
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}(${(v as unknown as ArrayLike<number>).length})`;
  return describeValue(v);
}

export class FieldReader {
  constructor(readonly code: OctetErrorCode, readonly file: string) {}

  bad(where: string, expected: string, found: unknown): never {
    return fail(this.code, `${this.file}: ${where}: expected ${expected}, found ${describeFound(found)}`);
  }

  /** A plain object whose keys are exactly `keys` (none missing, none extra). */
  exact(v: unknown, where: string, keys: readonly string[]): Json {
    const o = this.object(v, where);
    for (const k of keys) if (!Object.hasOwn(o, k)) fail(this.code, `${this.file}: ${where}: field "${k}" is missing`);
    for (const k of Object.keys(o)) if (!keys.includes(k)) fail(this.code, `${this.file}: ${where}: unexpected field "${k}"`);
    return o;
  }

  object(v: unknown, where: string): Json {
    if (typeof v !== "object" || v === null || Array.isArray(v) || ArrayBuffer.isView(v)) this.bad(where, "an object", v);
    return v as Json;
  }

  string(v: unknown, where: string): string {
    if (typeof v !== "string" || v.length === 0) this.bad(where, "a non-empty string", v);
    return v;
  }

  boolean(v: unknown, where: string): boolean {
    if (typeof v !== "boolean") this.bad(where, "true or false", v);
    return v;
  }

  oneOf<T extends string>(v: unknown, where: string, values: readonly T[]): T {
    if (typeof v !== "string" || !values.includes(v as T)) this.bad(where, `one of ${values.join(", ")}`, v);
    return v as T;
  }

  /** An integer in lo..hi. */
  int(v: unknown, where: string, lo: number, hi: number): number {
    if (typeof v !== "number" || !Number.isInteger(v) || v < lo || v > hi) this.bad(where, `an integer in ${lo}..${hi}`, v);
    return v;
  }

  /** A finite, positive, normal float32 scale (no zero, subnormal, infinity or NaN). */
  scale(v: unknown, where: string): number {
    if (typeof v !== "number" || !(v >= 2 ** -126 && v <= 2 ** 64)) this.bad(where, "a scale: a normal float in 2^-126..2^64", v);
    return v;
  }

  /** A typed array of `ctor`, of exactly `length` elements when one is given. */
  typed<T extends Int8Array | Int32Array | Float32Array>(v: unknown, where: string, ctor: new (n: number) => T, length?: number): T {
    if (!(v instanceof ctor) || (length !== undefined && v.length !== length)) this.bad(where, `${ctor.name}(${length ?? "n"})`, v);
    return v as T;
  }
}
