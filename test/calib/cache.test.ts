// The calibration cache in TensorRT's text format.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeCalibrationTable, parseCalibrationTable, f32Hex, hexF32 } from "../../src/calib/cache.js";
import { expectOctetError } from "../helpers.js";

test("f32 scales are written as the hex of their IEEE-754 bits", () => {
  assert.is(f32Hex(1), "3f800000");
  assert.is(f32Hex(0.0078125), "3c000000");
  assert.is(f32Hex(hexF32("3c010a14")), "3c010a14");
});

test("round trip keeps every scale bit for bit", () => {
  const scales = new Map([["data", Math.fround(1 / 127)], ["conv1", Math.fround(0.0123)], ["ip2", Math.fround(0.4567)]]);
  const text = writeCalibrationTable("entropy", scales);
  assert.is(text.split("\n")[0], "TRT-8601-EntropyCalibration2");
  assert.match(text, /^data: 3c010204$/m);
  const back = parseCalibrationTable(text, "c.cache");
  assert.is(back.algorithm, "entropy");
  assert.equal([...back.scales], [...scales]);
});

test("a table as TensorRT writes it loads, including unnamed-layer tensors", () => {
  const trt = [
    "TRT-7000-EntropyCalibration2",
    "data: 3c008912",
    "conv1: 3c88e7e4",
    "pool1: 3c88e7e4",
    "conv2: 3ca7b1d2",
    "pool2: 3ca7b1d2",
    "ip1: 3c5a5c4a",
    "ip2: 3dc0bc23",
    "prob: 3c010a14",
    "(Unnamed Layer* 5) [Activation]_output: 3c5a5c4a",
    "",
  ].join("\n");
  const t = parseCalibrationTable(trt, "trt.cache");
  assert.is(t.version, "7000");
  assert.is(t.algorithm, "entropy");
  assert.is(t.scales.size, 9);
  assert.is(f32Hex(t.scales.get("conv2")!), "3ca7b1d2");
  assert.is(f32Hex(t.scales.get("(Unnamed Layer* 5) [Activation]_output")!), "3c5a5c4a");
  const legacy = parseCalibrationTable("TRT-5105-LegacyCalibration\ndata: 3c008912\n", "l.cache");
  assert.is(legacy.algorithm, undefined);
  assert.is(legacy.algorithmName, "LegacyCalibration");
});

test("malformed tables name the file and line", () => {
  expectOctetError(() => parseCalibrationTable("", "a.cache"), "BAD_ARGUMENT", /a.cache:1: calibration cache header is ""/);
  expectOctetError(() => parseCalibrationTable("TRT-x-Entropy\n", "a.cache"), "BAD_ARGUMENT", /a.cache:1: .*expected TRT-<version>-<Algorithm>/);
  expectOctetError(() => parseCalibrationTable("TRT-7000-EntropyCalibration2\ndata: 3c008912\nconv1 3c88e7e4\n", "b.cache"), "BAD_ARGUMENT", /b.cache:3: malformed line "conv1 3c88e7e4"/);
  expectOctetError(() => parseCalibrationTable("TRT-7000-EntropyCalibration2\ndata: xyz\n", "b.cache"), "BAD_ARGUMENT", /b.cache:2: malformed line/);
  expectOctetError(() => parseCalibrationTable("TRT-7000-EntropyCalibration2\ndata: 7fc00000\n", "b.cache"), "BAD_ARGUMENT", /b.cache:2: tensor data: scale NaN/);
  expectOctetError(() => parseCalibrationTable("TRT-7000-EntropyCalibration2\ndata: 3c008912\ndata: 3c008912\n", "b.cache"), "BAD_ARGUMENT", /b.cache:3: tensor data appears twice/);
});

test.run();
