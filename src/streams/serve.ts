// The worker's side of a stream, whatever the platform: build the context,
// say ready (or why not), then serve enqueues signalled through the control
// block until told to exit.
import { deserializePlan } from "../engine/plan-file.js";
import { ExecutionContext, type KernelFactory } from "../engine/context.js";
import { OctetError } from "../errors.js";
import { BATCH, BUSY_US, DONE, EXIT, FAULT, RUN, STATE, type StreamInit, type StreamReady } from "./protocol.js";

export function serveStream(init: StreamInit, makeKernels: KernelFactory, post: (m: unknown) => void): void {
  let ctx: ExecutionContext;
  try {
    const plan = deserializePlan(init.plan, "stream plan");
    ctx = new ExecutionContext(plan, makeKernels, init.maxBatch);
    if (init.faultAt !== undefined) injectFault(ctx, init.faultAt);
    post({ kind: "ready", inputSize: ctx.input(1).length, outputSize: ctx.outputSize } satisfies StreamReady);
  } catch (e) {
    post({ kind: "error", code: e instanceof OctetError ? e.code : "BAD_ARGUMENT", message: (e as Error).message } satisfies StreamReady);
    return;
  }
  const control = new Int32Array(init.control);
  const floatInput = ctx.inputFormat.dtype === "f32";
  const input = floatInput ? new Float32Array(init.input) : new Int8Array(init.input);
  const output = new Float32Array(init.output);
  const per = ctx.input(1).length;
  for (;;) {
    const seen = Atomics.load(control, STATE);
    if (seen !== RUN && seen !== EXIT) Atomics.wait(control, STATE, seen);
    const state = Atomics.load(control, STATE);
    if (state === EXIT) return;
    if (state !== RUN) continue;
    const n = control[BATCH]!;
    try {
      const t0 = performance.now();
      (ctx.input(n) as Float32Array).set((input as Float32Array).subarray(0, n * per));
      ctx.enqueue(n);
      output.set(ctx.output(n));
      Atomics.add(control, BUSY_US, Math.round((performance.now() - t0) * 1000));
      Atomics.store(control, STATE, DONE);
    } catch (e) {
      post({ kind: "fault", code: e instanceof OctetError ? e.code : "DEVICE_FAULT", message: (e as Error).message });
      Atomics.store(control, STATE, FAULT);
    }
    Atomics.notify(control, STATE);
  }
}

/** Replaces one step's runner by one that traps as a kernel would (tests of fault handling). */
function injectFault(c: ExecutionContext, step: string): void {
  const i = c.plan.nodes.findIndex((nd) => nd.name === step);
  if (i < 0) throw new OctetError("BAD_OPTION", `faultAt: no step named "${step}"`);
  (c as unknown as { runners: ((n: number, p: boolean) => void)[] }).runners[i] = () => {
    throw new WebAssembly.RuntimeError("unreachable");
  };
}
