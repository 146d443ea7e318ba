// A small seeded mutational fuzzer for octet's file readers.
//
//   mutateBytes(bytes, rng, donor?)  byte flips, random bytes, interesting
//                                    integers and floats, inserts, deletes,
//                                    duplicated ranges, truncation, splices
//   mutateText(text, rng)            line edits (drop, repeat, swap, cut) and
//                                    hostile strings, deep brackets, or bytes
//   mutateJson(value, rng)           structural: change, remove, duplicate or
//                                    add fields; -1, 1e9, "NaN", wrong types,
//                                    deep nesting, long strings and arrays
//   toJsonText(value)                JSON.stringify, with nesting too deep for
//                                    it (a marker in mutateJson's output) expanded
//   runCampaign({ ... })             runs cases from a fixed seed; fails on any
//                                    throw that is not an OctetError, on a case
//                                    slower than a bound, and on memory growth
//
// Every case draws from its own Rng (caseRng(seed, i)), so one failing case
// is rerun alone with OCTET_FUZZ_ONLY=<case>. OCTET_FUZZ_CASES overrides the
// number of cases of every campaign.
import { OctetError } from "../../src/errors.js";
import { Rng } from "../../src/util/rng.js";

/** An integer in [0, n). */
export function randInt(rng: Rng, n: number): number {
  return Math.floor(rng.next() * n);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  return items[randInt(rng, items.length)]!;
}

/** A position in [0, length]: half uniform, half near the start, where headers live. */
function position(rng: Rng, length: number): number {
  const r = rng.next();
  return Math.floor((length + 1) * (rng.next() < 0.5 ? r : r * r * r));
}

const INTERESTING_U32 = [
  0, 1, 2, 3, 4, 7, 8, 15, 16, 31, 32, 63, 64, 127, 128, 255, 256, 1000, 0x7fff, 0x8000, 0xffff, 0x10000,
  1_000_000, 1_000_000_000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
  0x7fc00000, 0x7f800000, 0xff800000, 0x00000001, 0x7f7fffff, 0x80000000, 0x3f800000, 0xbf800000,
];

function interestingBytes(rng: Rng): Uint8Array {
  const width = pick(rng, [1, 2, 4, 4, 8]);
  const out = new Uint8Array(width);
  const view = new DataView(out.buffer);
  const v = pick(rng, INTERESTING_U32);
  const little = rng.next() < 0.5;
  if (width === 1) out[0] = v & 0xff;
  else if (width === 2) view.setUint16(0, v & 0xffff, little);
  else if (width === 4) view.setUint32(0, v >>> 0, little);
  else view.setBigUint64(0, rng.next() < 0.5 ? BigInt(v) : BigInt.asUintN(64, -BigInt(v)), little);
  return out;
}

function randomBytes(rng: Rng, n: number): Uint8Array {
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) out[i] = randInt(rng, 256);
  return out;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** One to four stacked byte-level mutations of `input` (never modified); `donor` feeds splices. */
export function mutateBytes(input: Uint8Array, rng: Rng, donor: Uint8Array = input): Uint8Array {
  let b: Uint8Array = new Uint8Array(input); // a copy (Buffer's slice() would be a view)
  const count = 1 + randInt(rng, 4);
  for (let m = 0; m < count; m++) b = mutateOnce(b, rng, donor);
  return b;
}

function mutateOnce(b: Uint8Array, rng: Rng, donor: Uint8Array): Uint8Array {
  const at = Math.min(position(rng, b.length), b.length);
  const span = () => 1 + randInt(rng, rng.next() < 0.8 ? 16 : 4096);
  switch (randInt(rng, 10)) {
    case 0: // flip one bit
      if (at < b.length) b[at]! ^= 1 << randInt(rng, 8);
      return b;
    case 1: // random byte
      if (at < b.length) b[at] = randInt(rng, 256);
      return b;
    case 2:
    case 3: { // interesting integer or float, overwriting
      const v = interestingBytes(rng);
      const out = b.length >= at + v.length ? b : concat(b, new Uint8Array(at + v.length - b.length));
      out.set(v, at);
      return out;
    }
    case 4: // insert random or interesting bytes
      return concat(b.subarray(0, at), rng.next() < 0.5 ? randomBytes(rng, span()) : interestingBytes(rng), b.subarray(at));
    case 5: // delete a range
      return concat(b.subarray(0, at), b.subarray(Math.min(b.length, at + span())));
    case 6: { // duplicate a range in place
      const n = Math.min(span(), b.length - at);
      return concat(b.subarray(0, at + n), b.subarray(at, at + n), b.subarray(at + n));
    }
    case 7: // truncate
      return b.subarray(0, at);
    case 8: { // splice: our head, the donor's tail
      const from = position(rng, donor.length);
      return concat(b.subarray(0, at), donor.subarray(from));
    }
    default: // append
      return concat(b, randomBytes(rng, span()));
  }
}

/** Strings that break naive parsers: numbers in other notations, control characters, long runs. */
export const HOSTILE_STRINGS: readonly string[] = [
  "", " ", "-1", "0", "1e3", "0x10", " 5", "+5", "5 ", "NaN", "Infinity", "-Infinity", "1.5", "9007199254740993",
  "99999999999999999999", "--", "=", "a=b=c", ",", ":", ": ", "\0", "\n", "\r\n", "\u2028", "é", "\ud800", "💥",
  "../../../etc/passwd", "/", ".", "x".repeat(300), "__proto__", "constructor", "null", "true", "[]", "{}",
];

/** Line-level and character-level edits of a text file (a calibration cache, a JSON document). */
export function mutateText(text: string, rng: Rng): string {
  const count = 1 + randInt(rng, 3);
  for (let m = 0; m < count; m++) text = mutateTextOnce(text, rng);
  return text;
}

function mutateTextOnce(text: string, rng: Rng): string {
  const lines = text.split("\n");
  const i = randInt(rng, lines.length);
  const at = position(rng, text.length);
  switch (randInt(rng, 9)) {
    case 0:
      lines.splice(i, 1);
      return lines.join("\n");
    case 1:
      lines.splice(i, 0, lines[i]!);
      return lines.join("\n");
    case 2: {
      const j = randInt(rng, lines.length);
      [lines[i], lines[j]] = [lines[j]!, lines[i]!];
      return lines.join("\n");
    }
    case 3:
      lines[i] = lines[i]!.slice(0, randInt(rng, lines[i]!.length + 1)) + pick(rng, HOSTILE_STRINGS);
      return lines.join("\n");
    case 4:
      return text.slice(0, at) + pick(rng, HOSTILE_STRINGS) + text.slice(at);
    case 5: {
      const depth = pick(rng, [65, 200, 10_000]);
      return text.slice(0, at) + "[".repeat(depth) + "]".repeat(rng.next() < 0.8 ? depth : randInt(rng, depth)) + text.slice(at);
    }
    case 6:
      return text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + randInt(rng, 32)));
    case 7:
      return text.slice(0, at);
    default:
      return new TextDecoder().decode(mutateBytes(new TextEncoder().encode(text), rng));
  }
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

function nested(depth: number): JsonValue {
  let v: JsonValue = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

/** Values that a field of a JSON document should not hold (JSON.stringify-safe: nesting at most 1000). */
function hostileJson(rng: Rng): JsonValue {
  switch (randInt(rng, 6)) {
    case 0:
      return pick(rng, [-1, 0, 1, 2, 3, 0.5, -0.5, 1e9, -1e9, 2 ** 31, 2 ** 32, 2 ** 53 + 2, 1e300, -1e300, 5e-324]);
    case 1:
      return pick(rng, HOSTILE_STRINGS);
    case 2:
      return pick<JsonValue>(rng, [null, true, false, [], {}, [1, 28, 28], [0, 0, 0], { a: 1 }]);
    case 3:
      return rng.next() < 0.5 ? nested(pick(rng, [65, 100, 1000])) : `${DEEP_MARKER}${pick(rng, [65, 5000, 10_000])}`;
    case 4:
      return rng.next() < 0.5 ? Array.from({ length: 10_000 }, (_, i) => i) : "y".repeat(100_000);
    default:
      return Array.from({ length: randInt(rng, 5) }, () => pick(rng, [-1, 1e9, "NaN", null, [], {}]));
  }
}

/**
 * Nesting deeper than JSON.stringify can write (about 5,000 levels) is a
 * marker string in mutateJson's output; toJsonText expands it.
 */
const DEEP_MARKER = "\u0000deep:";

/** JSON text of a (mutated) value, with deep-nesting markers expanded into brackets. */
export function toJsonText(value: unknown): string {
  return JSON.stringify(value).replace(/"\\u0000deep:(\d+)"/g, (_, n: string) => "[".repeat(Number(n)) + "]".repeat(Number(n)));
}

interface Slot {
  parent: JsonValue[] | { [key: string]: JsonValue };
  key: string | number;
}

function slots(root: JsonValue): Slot[] {
  const out: Slot[] = [];
  const walk = (v: JsonValue, depth: number) => {
    if (depth > 20 || v === null || typeof v !== "object") return;
    if (Array.isArray(v)) {
      if (v.length > 64) return;
      v.forEach((e, i) => {
        out.push({ parent: v, key: i });
        walk(e, depth + 1);
      });
    } else {
      for (const k of Object.keys(v)) {
        out.push({ parent: v, key: k });
        walk(v[k]!, depth + 1);
      }
    }
  };
  walk(root, 0);
  return out;
}

/** One to three structural mutations of a JSON value (a deep copy is changed; the input is not). */
export function mutateJson(value: unknown, rng: Rng): unknown {
  let root = structuredClone(value) as JsonValue;
  const count = 1 + randInt(rng, 3);
  for (let m = 0; m < count; m++) root = mutateJsonOnce(root, rng);
  return root;
}

function mutateJsonOnce(root: JsonValue, rng: Rng): JsonValue {
  const all = slots(root);
  if (all.length === 0 || rng.next() < 0.02) return hostileJson(rng);
  const { parent, key } = pick(rng, all);
  const get = () => (parent as Record<string | number, JsonValue>)[key]!;
  const set = (v: JsonValue) => setField(parent, key, v);
  switch (randInt(rng, 8)) {
    case 0:
    case 1:
      set(hostileJson(rng));
      break;
    case 2: // remove
      if (Array.isArray(parent)) parent.splice(key as number, 1);
      else delete parent[key as string];
      break;
    case 3: // duplicate
      if (Array.isArray(parent)) parent.splice(key as number, 0, structuredClone(get()));
      else setField(parent, `${key}_copy`, structuredClone(get()));
      break;
    case 4: { // wrong type: number <-> string, object <-> array
      const v = get();
      set(typeof v === "number" ? String(v) : typeof v === "string" ? Number(v.length) : Array.isArray(v) ? { ...v } : v && typeof v === "object" ? Object.values(v) : String(v));
      break;
    }
    case 5: // add a field or element
      if (Array.isArray(parent)) parent.push(hostileJson(rng));
      else setField(parent, pick(rng, ["extra", "__proto__", "constructor", "type", "name", "stride", "pad"]), hostileJson(rng));
      break;
    case 6: { // copy another field's value here (names where numbers belong, layers where names belong)
      const other = pick(rng, all);
      set(structuredClone((other.parent as Record<string | number, JsonValue>)[other.key]!));
      break;
    }
    default: { // numbers off by one or by sign
      const v = get();
      if (typeof v === "number") set(pick(rng, [v + 1, v - 1, -v, v * 1000, v / 2]));
      else set(hostileJson(rng));
    }
  }
  return root;
}

/** Sets an own field, even one named __proto__ (as JSON.parse makes them). */
function setField(parent: Slot["parent"], key: string | number, v: JsonValue): void {
  if (Array.isArray(parent)) parent[key as number] = v;
  else Object.defineProperty(parent, key, { value: v, enumerable: true, writable: true, configurable: true });
}

export function caseRng(seed: number, index: number): Rng {
  return new Rng((Math.imul(seed, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0);
}

/** The number of cases to run: OCTET_FUZZ_CASES when set, else `fallback`. */
export function fuzzCases(fallback: number): number {
  const n = Number(process.env.OCTET_FUZZ_CASES);
  return Number.isInteger(n) && n > 0 ? n : fallback;
}

export interface Campaign<T> {
  /** Shown in failures, with the seed and case. */
  name: string;
  seed: number;
  cases: number;
  /** The case's input, drawn from its own Rng. */
  input(rng: Rng, index: number): T;
  /** Reads the input; returns normally when accepted, throws an OctetError when refused. */
  run(input: T): void;
  /** A short description of an input for failure messages. */
  describe?(input: T): string;
  /** Longest a case may take (default 2000 ms). */
  caseLimitMs?: number;
  /** Most the process's rss may grow over the campaign (default 512 MiB). */
  memoryLimitBytes?: number;
}

export interface CampaignReport {
  cases: number;
  accepted: number;
  /** Refusals by OctetError code. */
  refused: Record<string, number>;
  ms: number;
  slowestMs: number;
  rssGrowthBytes: number;
}

/** Runs a campaign; throws, naming the seed and case, on any failure that is not a typed refusal. */
export function runCampaign<T>(c: Campaign<T>): CampaignReport {
  const only = process.env.OCTET_FUZZ_ONLY === undefined ? null : Number(process.env.OCTET_FUZZ_ONLY);
  const caseLimit = c.caseLimitMs ?? 2000;
  const memoryLimit = c.memoryLimitBytes ?? 512 * 2 ** 20;
  const report: CampaignReport = { cases: 0, accepted: 0, refused: {}, ms: 0, slowestMs: 0, rssGrowthBytes: 0 };
  const rss0 = process.memoryUsage().rss;
  const started = performance.now();
  for (let i = 0; i < c.cases; i++) {
    if (only !== null && i !== only) continue;
    const input = c.input(caseRng(c.seed, i), i);
    const where = () => `${c.name}: seed ${c.seed}, case ${i} (rerun alone with OCTET_FUZZ_ONLY=${i})${c.describe ? `: ${c.describe(input)}` : ""}`;
    const t0 = performance.now();
    try {
      c.run(input);
      report.accepted++;
    } catch (e) {
      if (!(e instanceof OctetError)) {
        const err = e as Error;
        throw new Error(`${where()}: threw ${err?.name ?? typeof e} (not an OctetError): ${err?.message ?? String(e)}\n${err?.stack ?? ""}`);
      }
      report.refused[e.code] = (report.refused[e.code] ?? 0) + 1;
    }
    const dt = performance.now() - t0;
    report.slowestMs = Math.max(report.slowestMs, dt);
    if (dt > caseLimit) throw new Error(`${where()}: took ${dt.toFixed(0)} ms, more than ${caseLimit} ms`);
    if (i % 64 === 0 || only !== null) {
      const growth = process.memoryUsage().rss - rss0;
      report.rssGrowthBytes = Math.max(report.rssGrowthBytes, growth);
      if (growth > memoryLimit) throw new Error(`${where()}: rss grew by ${(growth / 2 ** 20).toFixed(0)} MiB, more than ${(memoryLimit / 2 ** 20).toFixed(0)} MiB`);
    }
    report.cases++;
  }
  report.ms = performance.now() - started;
  report.rssGrowthBytes = Math.max(report.rssGrowthBytes, process.memoryUsage().rss - rss0);
  return report;
}

/** One line for the test log: cases, time, accepted and refused by code. */
export function summary(name: string, r: CampaignReport): string {
  const refused = Object.entries(r.refused).map(([code, n]) => `${code} ${n}`).join(", ");
  return `[fuzz] ${name}: ${r.cases} cases in ${(r.ms / 1000).toFixed(2)} s (slowest ${r.slowestMs.toFixed(1)} ms, rss +${(r.rssGrowthBytes / 2 ** 20).toFixed(0)} MiB): ${r.accepted} accepted; refused ${refused || "none"}`;
}
