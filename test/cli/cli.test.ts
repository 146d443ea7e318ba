// The CLI as a user runs it: options are checked, errors name the option,
// and `infer` prints parseable sample_int8-style results.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runCli as run } from "./run-cli.js";


test("infer --help lists every option", async () => {
  const r = await run(["infer", "--help"]);
  assert.is(r.code, 0);
  for (const opt of ["--fp32", "--model", "--data", "--batch", "--images"]) assert.ok(r.out.includes(opt), `help mentions ${opt}`);
});

test("unknown commands, options and bad values are errors that name them", async () => {
  let r = await run(["inferr"]);
  assert.is(r.code, 2);
  assert.match(r.err, /unknown command "inferr"/);
  r = await run(["infer", "--batchsize", "8"]);
  assert.is(r.code, 2);
  assert.match(r.err, /unknown option --batchsize for `octet infer`/);
  r = await run(["infer", "--batch", "zero"]);
  assert.match(r.err, /option --batch: expected an integer in 1..4096, found "zero"/);
  r = await run(["infer", "--batch=0"]);
  assert.match(r.err, /option --batch: expected an integer in 1..4096, found "0"/);
  r = await run(["infer", "--batch"]);
  assert.match(r.err, /option --batch needs a value/);
  r = await run(["infer", "--data", "/nonexistent/mnist"]);
  assert.is(r.code, 2);
  assert.match(r.err, /error \[IDX_FORMAT\]: \/nonexistent\/mnist: missing t10k-images-idx3-ubyte/);
  r = await run(["train", "--epochs", "-1"]);
  assert.match(r.err, /option --epochs: expected an integer in 1..1000, found "-1"/);
});

test("infer --fp32 on 1,000 test images prints sample_int8-style results", async () => {
  const r = await run(["infer", "--fp32", "--images", "1000", "--batch", "50"]);
  assert.is(r.code, 0, r.err);
  assert.match(r.out, /\[I\] FP32 run: 20 batches of size 50 starting at 0/);
  const m = /\[I\] Top1: ([\d.]+), Top5: ([\d.]+)/.exec(r.out);
  assert.ok(m, r.out);
  assert.ok(Number(m![1]) >= 0.98, `top-1 ${m![1]}`);
  assert.ok(Number(m![2]) >= Number(m![1]));
  assert.match(r.out, /Processing 1000 images averaged [\d.e-]+ ms\/image/);
  assert.match(r.out, /&&&& PASSED octet infer/);
});

test.run();
