// Generates the register-blocked GEMM tiles, the conv pairs path's panels,
// the bench's peak microkernels and the FP32 register blocks from one
// template per family (assembly/{int8,fp32}/templates/*.ts.in), in the spirit of XNNPACK's *.c.in -> gen/: the listing below
// names every variant by its operands, loads and epilogue, and each peak
// microkernel takes the loop of the production tile it measures, so the
// bench's peak and the kernel are the same instructions. The generated files
// (assembly/int8/gen/, assembly/fp32/gen/) are committed; test/int8/generated.test.ts fails when
// regenerating would change them.
//   node scripts/gen-kernels.mjs           write assembly/int8/gen/*
//   node scripts/gen-kernels.mjs --check   exit 1 if they differ
import { readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const template = (name, family = "int8") => readFileSync(`${ROOT}assembly/${family}/templates/${name}.ts.in`, "utf8");

/**
 * ${NAME} -> vars.NAME; ${NAME(arg)} -> vars.NAME with # replaced by arg;
 * //#if NAME ... //#endif kept when vars.NAME; //#indent NAME ...
 * //#endindent indented two more spaces when vars.NAME; //#repeat NAME ...
 * //#endrepeat once per entry of the list vars.NAME, its fields added to
 * the variables.
 */
export function expand(text, vars) {
  const out = [];
  const keep = [true];
  let indent = "";
  let repeat = null;
  for (const line of text.split("\n")) {
    const directive = line.match(/^\/\/#(if|endif|indent|endindent|repeat|endrepeat) ?([A-Z_]*)$/);
    if (directive) {
      const [, what, name] = directive;
      if (what === "if") keep.push(keep.at(-1) && Boolean(vars[name]));
      else if (what === "endif") keep.pop();
      else if (what === "indent") indent = vars[name] ? "  " : "";
      else if (what === "endindent") indent = "";
      else if (what === "repeat") repeat = { list: vars[name], lines: [] };
      else {
        if (keep.at(-1)) for (const each of repeat.list) out.push(...expand(repeat.lines.join("\n"), { ...vars, ...each }).trimEnd().split("\n").map((l) => indent + l));
        repeat = null;
      }
      continue;
    }
    if (repeat) {
      repeat.lines.push(line);
      continue;
    }
    if (!keep.at(-1)) continue;
    let s = line.replace(/\$\{([A-Z_]+)\}/g, (_, k) => {
      if (!(k in vars)) throw new Error(`template variable ${k} is not set`);
      return vars[k];
    });
    s = s.replace(/\$\{([A-Z_]+)\((.*?)\)\}/g, (_, k, arg) => {
      if (!(k in vars)) throw new Error(`template macro ${k} is not set`);
      return vars[k].replace("#", arg);
    });
    if (s.trim() !== "") out.push(indent + s);
  }
  return out.join("\n") + "\n";
}

// The loops: how a step loads 8 weights and 8 activations, and the K % 8 == 4 tail.
const LOOPS = {
  /** int16 x int16 from memory (the conv dot path; weights packed as int16, receptive fields widened once). K: int16 elements, a multiple of 8. */
  s16: { LOOP_INIT: "const end = <usize>K << 1;", LOOP: "for (let o: usize = 0; o < end; o += 16)", XLOAD: "ldv(#)", WLOAD: "ldv(#)", WO: "o", TAIL: false },
  /** int16 weights x int8 activations widened on load (fully connected). K: elements, a multiple of 4. */
  w16: {
    LOOP_INIT: "const k8 = <usize>(K & ~7);\n  let o: usize = 0;", LOOP: "for (; o < k8; o += 8)", XLOAD: "ld8x8s(#)", WLOAD: "ldv(#)", WO: "(o << 1)",
    TAIL: true, XTAIL: "ext4(#)", WTAIL: "ld4w(#)",
  },
};

const STORE2 = `  const bv = ldv(bias);
  const r0 = i32x4.add(reduce4(c00, c10, c20, c30), bv);
  const r1 = i32x4.add(reduce4(c01, c11, c21, c31), bv);
  const q = REQUANT;
  sti32(out0, i32x4.extract_lane(q, 0));
  sti32(out1, i32x4.extract_lane(q, 1));`;

const TILES_4X2 = [
  {
    NAME: "tile4x2s16", DECL: "@inline export ", loop: "s16", DOC: "4 channels x 2 columns, int16 operands. Writes 4 int8 at out0 and 4 at out1.",
    PARAMS: "w: usize, ldw: usize, x0: usize, x1: usize, K: i32,\n  bias: usize, mult: usize, relu: bool, out0: usize, out1: usize,",
    EPILOGUE: STORE2.replace("REQUANT", "requant4x2(r0, r1, ldv(mult), relu)"),
  },
  {
    NAME: "tile4x2s16sums", DECL: "export ", loop: "s16",
    DOC: "4 channels x 2 columns, int16 operands, WITHOUT requantization: stores\n *  the 4 int32 sums of column 0 at m and those of column 1 at m + 16\n *  (the Winograd path, conv-wino-s8.ts).",
    PARAMS: "w: usize, ldw: usize, x0: usize, x1: usize, K: i32, m: usize,",
    EPILOGUE: "  stv(m, reduce4(c00, c10, c20, c30));\n  stv(m + 16, reduce4(c01, c11, c21, c31));",
  },
  {
    NAME: "tile4x2w16", DECL: "@inline export ", loop: "w16", DOC: "4 outputs x 2 images, int16 weights, int8 activations.",
    PARAMS: "w: usize, ldw: usize, x0: usize, x1: usize, K: i32,\n  bias: usize, mult: usize, lo: v128, hi: v128, zero: v128, out0: usize, out1: usize,",
    EPILOGUE: STORE2.replace("REQUANT", "requantZc4x2(r0, r1, ldv(mult), lo, hi, zero)"),
  },
];

const TILES_4X1 = [
  {
    NAME: "tile4x1s16", DECL: "export ", loop: "s16", LDW: "ldw", DOC: "4 channels x 1 column, int16 operands. Writes 4 int8 at out0.",
    PARAMS: "w: usize, ldw: usize, x0: usize, K: i32,\n  bias: usize, mult: usize, relu: bool, out0: usize,",
    EPILOGUE: "  const r = i32x4.add(reduce4(c0, c1, c2, c3), ldv(bias));\n  sti32(out0, i32x4.extract_lane(requant4(r, ldv(mult), relu), 0));",
  },
  {
    NAME: "tile4x1w16", DECL: "@inline export ", loop: "w16", LDW: "ldw", DOC: "4 outputs x 1 image, int16 weights, int8 activations.",
    PARAMS: "w: usize, ldw: usize, x0: usize, K: i32,\n  bias: usize, mult: usize, lo: v128, hi: v128, zero: v128, out0: usize,",
    EPILOGUE: "  const r = i32x4.add(reduce4(c0, c1, c2, c3), ldv(bias));\n  sti32(out0, i32x4.extract_lane(requantZc4(r, ldv(mult), lo, hi, zero), 0));",
  },
  {
    NAME: "tile4x1w16far", DECL: "@inline export ", loop: "w16", LDW: "step",
    DOC: "4 outputs FAR APART (rows w, w + step, w + 2 step, w + 3 step; outputs\n *  q*Q apart) x 1 image, int16 weights, int8 activations: a single image's\n *  fully connected layer streams 4 distant weight runs, which the hardware\n *  prefetches better than 4 adjacent rows. bias / mult: the first output's;\n *  Q: outputs between the 4 (bytes of output, 4*Q bytes of bias / mult).",
    PARAMS: "w: usize, step: usize, x0: usize, K: i32,\n  bias: usize, mult: usize, Q: usize, lo: v128, hi: v128, zero: v128, out0: usize,",
    EPILOGUE: `  const q4 = Q << 2;
  let bv = i32x4.splat(ldi32(bias));
  bv = i32x4.replace_lane(bv, 1, ldi32(bias + q4));
  bv = i32x4.replace_lane(bv, 2, ldi32(bias + 2 * q4));
  bv = i32x4.replace_lane(bv, 3, ldi32(bias + 3 * q4));
  let mv = f32x4.splat(ldf(mult));
  mv = f32x4.replace_lane(mv, 1, ldf(mult + q4));
  mv = f32x4.replace_lane(mv, 2, ldf(mult + 2 * q4));
  mv = f32x4.replace_lane(mv, 3, ldf(mult + 3 * q4));
  const r = requantZc4(i32x4.add(reduce4(c0, c1, c2, c3), bv), mv, lo, hi, zero);
  sti8(out0, i8x16.extract_lane_s(r, 0));
  sti8(out0 + Q, i8x16.extract_lane_s(r, 1));
  sti8(out0 + 2 * Q, i8x16.extract_lane_s(r, 2));
  sti8(out0 + 3 * Q, i8x16.extract_lane_s(r, 3));`,
  },
];

/** The relaxed-SIMD build's tiles (int8 weights x int8 activations, i32x4.relaxed_dot_i8x16_i7x16_add_s on the split activation); K: elements, a multiple of 4. */
const TILES_R8 = [
  {
    NAME: "tile4x1r8", DECL: "@inline export ", LDW: "ldw", DOC: "4 outputs x 1 image, int8 weights and activations (relaxed SIMD). Writes 4 int8 at out0.",
    PARAMS: "w: usize, ldw: usize, x0: usize, K: i32,\n  bias: usize, mult: usize, lo: v128, hi: v128, zero: v128, out0: usize,",
    EPILOGUE: "  sti32(out0, i32x4.extract_lane(requantZc4(i32x4.add(sums, ldv(bias)), ldv(mult), lo, hi, zero), 0));",
  },
  {
    NAME: "tile4x1r8far", DECL: "@inline export ", LDW: "step",
    DOC: "tile4x1w16far's 4 outputs FAR APART x 1 image, int8 weights and activations\n *  (relaxed SIMD). bias / mult: the first output's; Q: outputs between the 4.",
    PARAMS: "w: usize, step: usize, x0: usize, K: i32,\n  bias: usize, mult: usize, Q: usize, lo: v128, hi: v128, zero: v128, out0: usize,",
    EPILOGUE: TILES_4X1[2].EPILOGUE.replace("i32x4.add(reduce4(c0, c1, c2, c3), bv)", "i32x4.add(sums, bv)"),
  },
];

const LANE_SUM = `  const s = i32x4.add(
    i32x4.add(i32x4.add(c00, c01), i32x4.add(c10, c11)),
    i32x4.add(i32x4.add(c20, c21), i32x4.add(c30, c31)),
  );
  return i32x4.extract_lane(s, 0) + i32x4.extract_lane(s, 1) +
    i32x4.extract_lane(s, 2) + i32x4.extract_lane(s, 3);`;

/** The relaxed peak: tile4x1r8's loop, reps * 4 * K MACs per call. */
const PEAK_R8 = { NAME: "peak_r8", tile: "tile4x1r8", PROLOGUE: "  const ldw = <usize>K;", DOC: "The loop of tile4x1r8 (int8 weights x int8 activations split into two i7 parts, relaxed SIMD: fully connected)." };

const LANE_SUM_R8 = `  return i32x4.extract_lane(sums, 0) + i32x4.extract_lane(sums, 1) +
    i32x4.extract_lane(sums, 2) + i32x4.extract_lane(sums, 3);`;

/** Each peak runs the loop of the production tile it measures `reps` times over L1-resident rows (K a multiple of 16). */
const PEAKS = [
  { NAME: "peak_s16", tile: "tile4x2s16", PROLOGUE: "  const ldw = <usize>K << 1;\n  const x1 = x0 + ldw;", DOC: "The loop of tile4x2s16 (int16 weights and activations from memory: the conv dot path)." },
  { NAME: "peak_s16s8", tile: "tile4x2w16", PROLOGUE: "  const ldw = <usize>K << 1;\n  const x1 = x0 + <usize>K;", DOC: "The loop of tile4x2w16 (int16 weights, int8 activations widened on load: fully connected)." },
];

/**
 * The FP32 register blocks: R rows (output channels, or rows of A) x 8
 * columns, 2 accumulators per row, one broadcast per row and depth step.
 * conv: the convolution's blocks over an im2col panel (conv-gemm-f32.ts),
 * weights as rows lda bytes apart or packed [depth][4]; gemm: gemm_nn_f32's
 * blocks, A strided, C accumulated.
 */
const F32_SPLAT = ["ldsp", "ldsp1", "ldsp2", "ldsp3"];
function convBlock(rows, packed) {
  const r = [...Array(rows).keys()];
  return {
    NAME: packed ? `block${rows}x8p` : `block${rows}x8`,
    DOC: `${rows} channel${rows > 1 ? "s" : ""} x 8 pixels from ${packed ? "packed weights wp [depth][4]" : "rows of w (lda bytes apart)"}.`,
    PARAMS: packed ? "depth: i32, wp: usize, bias: usize, bp: usize, c: usize, ldc: usize, relu: bool," : "depth: i32, a0: usize, lda: usize, bias: usize, bp: usize, c: usize, ldc: usize, relu: bool,",
    PROLOGUE: packed || rows === 1 ? "" : `  let ${r.slice(1).map((i) => `a${i} = a${i - 1} + lda`).join(", ")};`,
    LOOP: packed ? "const end = wp + ((<usize>depth) << 4);\n  while (wp < end)" : "const end = a0 + ((<usize>depth) << 2);\n  while (a0 < end)",
    BLOAD: "const b0 = ldv(bp), b1 = ldv(bp + 16);",
    STEP: packed ? "wp += 16;\n    bp += 32;" : `${r.map((i) => `a${i} += 4;`).join(" ")}\n    bp += 32;`,
    ROWS: r.map((i) => ({
      R: String(i), INIT: `${F32_SPLAT[i]}(bias)`, LET: i === 0 ? "let " : "", BCAST: packed ? `${F32_SPLAT[i]}(wp)` : `ldsp(a${i})`,
      STORE: `out(c, c${i}0, relu); out(c + 16, c${i}1, relu);${i < rows - 1 ? " c += ldc;" : ""}`,
    })),
  };
}
function gemmBlock(rows) {
  const r = [...Array(rows).keys()];
  const row = (i) => (i === 0 ? "i" : `i + ${i}`);
  return {
    NAME: `gemmBlock${rows}x8`, DOC: `${rows > 1 ? `C rows i..i+${rows - 1}` : "C row i"}, columns j..j+7: A's row${rows > 1 ? "s" : ""} (strided) x B's 8 columns.`,
    PARAMS: "i: i32, j: i32, K: i32,\n  a: usize, rsA: i32, csA: i32, b: usize, ldb: i32, c: usize, ldc: i32, accumulate: bool,",
    PROLOGUE: "", LOOP: "for (let k = 0; k < K; k++)",
    BLOAD: "const bp = b + ((<usize>(k * ldb + j)) << 2);\n    const b0 = ldv(bp), b1 = ldv(bp + 16);", STEP: "",
    ROWS: r.map((i) => ({
      R: String(i), INIT: "f32x4.splat(0)", LET: i === 0 ? "let " : "", BCAST: `f32x4.splat(aAt(a, rsA, csA, ${row(i)}, k))`,
      STORE: `storeRow(c, ldc, ${row(i)}, j, c${i}0, c${i}1, accumulate);`,
    })),
  };
}

const HEADER = (what) => `// GENERATED by scripts/gen-kernels.mjs from assembly/{int8,fp32}/templates/*.ts.in: do not edit.
// ${what}
`;

export function generate() {
  const t2 = template("tile4x2"), t1 = template("tile4x1");
  const tile = (t, v) => expand(t, { PROLOGUE: "", REPS: false, RESULT: "void", ...LOOPS[v.loop], ...v });
  const tiles = [
    HEADER("The GEMM tiles (gemm-s8.ts): 4 weight rows x 2 or 1 activation rows, i32x4.dot_i16x8_s, 8 (or 4) accumulators,\n// ONE 8-element step per iteration (two let Binaryen fold both steps into one expression and V8 spill)."),
    'import { ldv, stv, ld8x8s, sti32, sti8, ldi32, ldf } from "../../mem";',
    'import { reduce4, ext4, ld4w } from "../tile-ops-s8";',
    'import { requant4x2, requant4, requantZc4, requantZc4x2 } from "../requant";',
    "",
    ...TILES_4X2.map((v) => tile(t2, v)),
    ...TILES_4X1.map((v) => tile(t1, v)),
  ].join("\n");
  const peaks = [
    HEADER("Peak microkernels for the benchmark: each production tile's loop over the same L1-resident rows, `reps` times\n// (64 MACs per step, reps * 8 * K per call); the lane sum is returned so nothing is optimized away."),
    'import { ldv, ld8x8s } from "../../mem";',
    "",
    ...PEAKS.map((p) => {
      const v = TILES_4X2.find((x) => x.NAME === p.tile);
      return expand(t2, {
        ...LOOPS[v.loop], TAIL: false, REPS: true, DECL: "export ", RESULT: "i32", NAME: p.NAME, DOC: p.DOC,
        PARAMS: "w: usize, x0: usize, K: i32, reps: i32,", PROLOGUE: p.PROLOGUE, EPILOGUE: LANE_SUM,
      });
    }),
  ].join("\n");
  const tp = template("pair-panel");
  const panels = [
    HEADER("The conv pairs path's panels (conv-pairs-s8.ts): 4*g output channels, g = 1..4 groups of 4 (at most 8\n" +
      "// accumulators + 2 broadcasts + 1 weight vector, within V8's ~15 vector registers) x the band's pixels, 2 at a time."),
    'import { ldv, ldi32 } from "../../mem";',
    'import { ld32splat, store2 } from "../tile-ops-s8";',
    "",
    ...[1, 2, 3, 4].map((g) => expand(tp, {
      NAME: `pairPanel${4 * g}`, CH: String(4 * g),
      GROUPS: Array.from({ length: g }, (_, i) => ({ I: String(i), LET: i === 0 ? "let " : "", OFF: i === 0 ? "" : ` + ${16 * i}`, GS: i === 0 ? "" : i === 1 ? " + gs" : ` + ${i} * gs` })),
    })),
  ].join("\n");
  const tr = template("tile4x1r8");
  const relaxed = [
    HEADER("The relaxed-SIMD build's fully connected tiles and peak (fc-core-s8.ts; only that build compiles them):\n" +
      "// 4 weight rows x 1 image, 16 elements per step, 8 accumulators, bit-identical to the int16 tiles."),
    'import { ldv, sti32, sti8, ldi32, ldf } from "../../mem";',
    'import { reduce4, ldPart } from "../tile-ops-s8";',
    'import { requantZc4 } from "../requant";',
    "",
    ...TILES_R8.map((v) => expand(tr, { PROLOGUE: "", REPS: false, RESULT: "void", TAIL: true, ...v })),
    expand(tr, {
      ...PEAK_R8, TAIL: false, REPS: true, DECL: "export ", RESULT: "i32", LDW: "ldw",
      PARAMS: "w: usize, x0: usize, K: i32, reps: i32,", EPILOGUE: LANE_SUM_R8,
    }),
  ].join("\n");
  const tb = template("block", "fp32");
  const blocks = [
    HEADER("The FP32 register blocks: the convolution's over an im2col panel (conv-gemm-f32.ts: 4, 3, 2, 1 channels x 8\n" +
      "// pixels, 4 from packed weights) and gemm_nn_f32's (gemm-f32.ts: 4 and 1 rows x 8 columns); 8 accumulators at most."),
    'import { ldv } from "../../mem";',
    'import { ldsp, ldsp1, ldsp2, ldsp3 } from "../mem-f32";',
    'import { madd, out, aAt, storeRow } from "../block-ops-f32";',
    "",
    ...[convBlock(4, true), convBlock(4, false), convBlock(3, false), convBlock(2, false), convBlock(1, false), gemmBlock(4), gemmBlock(1)].map((v) => expand(tb, v)),
  ].join("\n");
  return new Map([
    ["assembly/fp32/gen/blocks-f32.ts", blocks],
    ["assembly/int8/gen/gemm-tiles-s8.ts", tiles], ["assembly/int8/gen/peak-s8.ts", peaks],
    ["assembly/int8/gen/pair-panels-s8.ts", panels], ["assembly/int8/gen/relaxed-r8.ts", relaxed],
  ]);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const check = process.argv.includes("--check");
  let stale = 0;
  for (const [path, text] of generate()) {
    let now = "";
    try { now = readFileSync(ROOT + path, "utf8"); } catch { /* missing */ }
    if (now === text) continue;
    stale++;
    if (check) console.error(`${path}: differs from what the templates generate; run node scripts/gen-kernels.mjs`);
    else writeFileSync(ROOT + path, text);
  }
  if (check && stale > 0) process.exit(1);
  if (!check) console.log(`gen-kernels: ${stale} file(s) written`);
}
