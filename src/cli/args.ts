// A small, strict command-line parser: every option is declared with its
// type; unknown options and bad values are errors that name them.
import { fail } from "../errors.js";

export type OptionSpec = {
  name: string;
  help: string;
  /** Shown in --help as --name <arg>. */
  arg?: string;
  /** The option shapes a build (octet infer refuses it with --load-plan). */
  build?: boolean;
} & (
  | { kind: "flag" }
  | { kind: "int"; default?: number; min?: number; max?: number }
  | { kind: "number"; default?: number; min?: number; max?: number }
  | { kind: "string"; default?: string }
  | { kind: "enum"; values: readonly string[]; default?: string }
);

export type Value = string | number | boolean;

export class ParsedArgs {
  constructor(private readonly values: Map<string, Value>, private readonly explicit: Set<string> = new Set()) {}
  /** Whether the user gave the option (not just its default). */
  given(name: string): boolean {
    return this.explicit.has(name);
  }
  /** The option's value (or default), whatever its kind. */
  value(name: string): Value | undefined {
    return this.values.get(name);
  }
  has(name: string): boolean {
    return this.values.has(name);
  }
  flag(name: string): boolean {
    return this.values.get(name) === true;
  }
  int(name: string): number {
    return this.values.get(name) as number;
  }
  num(name: string): number {
    return this.values.get(name) as number;
  }
  str(name: string): string | undefined {
    return this.values.get(name) as string | undefined;
  }
}

/**
 * Parses `argv` against `specs`. Refused, by name: unknown options, options
 * given twice, a missing value (including one that is itself an option, as
 * in `--save-plan --no-profile`), values out of range, and any positional
 * argument (no octet command takes one).
 */
export function parseArgs(argv: string[], specs: readonly OptionSpec[], command: string): ParsedArgs {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const values = new Map<string, Value>();
  const explicit = new Set<string>();
  for (const s of specs) if ("default" in s && s.default !== undefined) values.set(s.name, s.default);
  for (let i = 0; i < argv.length; i++) {
    const token = argv[i]!;
    if (!token.startsWith("--")) fail("BAD_OPTION", `unexpected argument ${quote(token)} for \`octet ${command}\` (options start with --; see \`octet ${command} --help\`)`);
    const eq = token.indexOf("=");
    const name = token.slice(2, eq < 0 ? undefined : eq);
    const spec = byName.get(name);
    if (!spec) fail("BAD_OPTION", `unknown option ${quote(`--${name}`, false)} for \`octet ${command}\` (see \`octet ${command} --help\`)`);
    if (explicit.has(name)) fail("BAD_OPTION", `option --${name} is given twice`);
    explicit.add(name);
    if (spec.kind === "flag") {
      if (eq >= 0) fail("BAD_OPTION", `option --${name} takes no value, found ${quote(token.slice(eq + 1))}`);
      values.set(name, true);
      continue;
    }
    const raw: string | undefined = eq >= 0 ? token.slice(eq + 1) : argv[++i];
    if (raw === undefined) fail("BAD_OPTION", `option --${name} needs a value (${describe(spec)})`);
    if (eq < 0 && raw.startsWith("--")) fail("BAD_OPTION", `option --${name} needs a value (${describe(spec)}), found option ${quote(raw, false)}; write --${name}=${quote(raw, false)} if that is the value`);
    values.set(name, convert(spec, raw));
  }
  return new ParsedArgs(values, explicit);
}

const INTEGER = /^-?\d+$/;
const DECIMAL = /^-?(\d+(\.\d+)?|\.\d+)$/;

function convert(spec: OptionSpec, raw: string): Value {
  const bad = (): never => fail("BAD_OPTION", `option --${spec.name}: expected ${describe(spec)}, found ${quote(raw)}`);
  switch (spec.kind) {
    case "int":
    case "number": {
      if (!(spec.kind === "int" ? INTEGER : DECIMAL).test(raw)) bad();
      const v = Number(raw) + 0;
      if (!Number.isFinite(v) || (spec.kind === "int" && !Number.isSafeInteger(v))) bad();
      if ((spec.min !== undefined && v < spec.min) || (spec.max !== undefined && v > spec.max)) bad();
      return v;
    }
    case "enum":
      if (!spec.values.includes(raw)) bad();
      return raw;
    case "string":
      if (raw === "" || raw.includes("\0")) bad();
      return raw;
    case "flag":
      return true;
  }
}

/** A value for a message: quoted, cut to a readable length. */
function quote(value: string, quoted = true): string {
  const short = value.length > 80 ? `${value.slice(0, 80)}…` : value;
  return quoted ? JSON.stringify(short) : short;
}

function describe(spec: OptionSpec): string {
  switch (spec.kind) {
    case "int":
    case "number": {
      const what = spec.kind === "int" ? "an integer" : "a number";
      if (spec.min !== undefined && spec.max !== undefined) return `${what} in ${spec.min}..${spec.max}`;
      if (spec.min !== undefined) return `${what} >= ${spec.min}`;
      return what;
    }
    case "enum":
      return `one of ${spec.values.join(", ")}`;
    case "string":
      return "a non-empty string";
    case "flag":
      return "no value";
  }
}

export function helpText(usage: string, summary: string, specs: readonly OptionSpec[]): string {
  const rows = specs.map((s) => {
    const left = `  --${s.name}${s.kind === "flag" ? "" : ` <${s.arg ?? (s.kind === "enum" ? s.values.join("|") : s.kind === "string" ? "value" : "n")}>`}`;
    const def = "default" in s && s.default !== undefined ? ` (default: ${s.default})` : "";
    return [left, s.help + def] as const;
  });
  const width = Math.max(...rows.map(([l]) => l.length)) + 2;
  return [`Usage: ${usage}`, "", summary, "", "Options:", ...rows.map(([l, r]) => l.padEnd(width) + r)].join("\n") + "\n";
}
