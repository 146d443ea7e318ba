// Fuzzing the calibration cache reader (parseCalibrationTable): caches as
// octet and TensorRT write them, mutated line by line, character by
// character, and with interesting scale bit patterns (NaN, infinities,
// subnormals, float max, zero, negative zero). Every case is accepted or
// refused with an OctetError, within 2 s and bounded memory; every accepted
// scale is a positive normal float up to 2^64; the seeds read the same after.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseCalibrationTable, writeCalibrationTable, MIN_SCALE, MAX_SCALE } from "../../src/calib/cache.js";
import type { Rng } from "../../src/util/rng.js";
import { mutateText, runCampaign, fuzzCases, summary, pick, randInt } from "./mutate.js";
import { calibrationCaches } from "./seeds.js";
import { expectOctetError } from "../helpers.js";

const SCALE_BITS = [
  "00000000", "80000000", "00000001", "007fffff", "00800000", "7f7fffff", "7f800000", "ff800000", "7fc00000", "ffc00000",
  "5f800000", "5f800001", "3f800000", "bf800000", "1", "ffffffff", "3c01020", "3C010204",
];

function mutateScale(text: string, rng: Rng): string {
  const lines = text.split("\n");
  const i = 1 + randInt(rng, Math.max(1, lines.length - 1));
  if (i >= lines.length) return text;
  lines[i] = lines[i]!.replace(/[0-9a-fA-F]+(\r?)$/, (_, cr: string) => pick(rng, SCALE_BITS) + cr);
  return lines.join("\n");
}

test("mutated calibration caches are accepted or refused with an OctetError", () => {
  const before = calibrationCaches.map((t) => parseCalibrationTable(t, "seed.cache"));
  const report = runCampaign({
    name: "calib-cache", seed: 0xca11b, cases: fuzzCases(10000),
    input: (rng) => {
      const seed = pick(rng, calibrationCaches);
      return rng.next() < 0.35 ? mutateScale(seed, rng) : mutateText(rng.next() < 0.3 ? mutateScale(seed, rng) : seed, rng);
    },
    run: (text) => {
      const t = parseCalibrationTable(text, "fuzz.cache");
      for (const [name, s] of t.scales) if (!(s >= MIN_SCALE && s <= MAX_SCALE)) throw new Error(`accepted scale ${s} for ${name}`);
    },
    describe: (text) => JSON.stringify(text.length > 300 ? `${text.slice(0, 300)}…` : text),
  });
  console.log(summary("calib-cache", report));
  assert.ok(report.refused.BAD_ARGUMENT! > 0 && report.accepted > 0, "the campaign both accepts and refuses");
  assert.equal(calibrationCaches.map((t) => parseCalibrationTable(t, "seed.cache")), before);
});

test("subnormal, zero, negative, infinite, NaN and absurdly large scales are refused with file:line and tensor", () => {
  const table = (hex: string) => `TRT-8601-EntropyCalibration2\ndata: 3c010204\nconv1: ${hex}\n`;
  const cases: [string, RegExp][] = [
    ["00000001", /c.cache:3: tensor conv1: scale 1\.401298464324817e-45 \(00000001\) is subnormal \(below 2\^-126\)/],
    ["007fffff", /c.cache:3: tensor conv1: scale .* \(007fffff\) is subnormal/],
    ["7f7fffff", /c.cache:3: tensor conv1: scale 3\.4028234663852886e\+38 \(7f7fffff\) is larger than 2\^64/],
    ["5f800001", /c.cache:3: tensor conv1: scale .* \(5f800001\) is larger than 2\^64/],
    ["00000000", /c.cache:3: tensor conv1: scale 0 \(00000000\) is zero/],
    ["80000000", /c.cache:3: tensor conv1: scale 0 \(80000000\) is negative/],
    ["bf800000", /c.cache:3: tensor conv1: scale -1 \(bf800000\) is negative/],
    ["7f800000", /c.cache:3: tensor conv1: scale Infinity \(7f800000\) is infinite/],
    ["7fc00000", /c.cache:3: tensor conv1: scale NaN \(7fc00000\) is not a number/],
  ];
  for (const [hex, message] of cases) expectOctetError(() => parseCalibrationTable(table(hex), "c.cache"), "BAD_ARGUMENT", message);
  for (const hex of ["00800000", "5f800000", "3c010204"]) assert.is(parseCalibrationTable(table(hex), "ok.cache").scales.size, 2, hex);
});

test("a cache octet writes is read back, and long lines are cut in messages", () => {
  const scales = new Map([["data", Math.fround(1 / 127)], ["ip2", Math.fround(0.25)]]);
  assert.equal([...parseCalibrationTable(writeCalibrationTable("minmax", scales), "m.cache").scales], [...scales]);
  let message = "";
  try {
    parseCalibrationTable(`TRT-8601-EntropyCalibration2\n${"x".repeat(100_000)}\n`, "long.cache");
  } catch (e) {
    message = (e as Error).message;
  }
  assert.match(message, /^long.cache:2: malformed line "x+…", expected/);
  assert.ok(message.length < 200, message);
});

test.run();
