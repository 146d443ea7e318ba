// The worker's side of a stream, whatever the platform: build the context,
// say ready (or why not), then serve enqueues signalled through the control
// block until told to exit. A thread of a shared engine builds its contexts
// on the shared memories and reads and writes its images there; a stream of
// its own copies them between its blocks and its memory.
import { deserializePlan } from "../engine/plan-file.js";
import { ExecutionContext, type KernelFactory } from "../engine/context.js";
import { Engine } from "../engine/engine.js";
import { OctetError } from "../errors.js";
import { BATCH, BUSY_US, DONE, EXIT, FAULT, RUN, STATE, type SharedReady, type StreamInit, type StreamReady } from "./protocol.js";
import { deviceRunner } from "./device-steps.js";
import type { Device } from "../builder/capabilities.js";

export function serveStream(init: StreamInit, makeKernels: KernelFactory, post: (m: unknown) => void): void {
  let ctx: ExecutionContext;
  let shared: SharedReady | undefined;
  try {
    const plan = deserializePlan(init.plan, "stream plan");
    if (init.shared) {
      const engine = new Engine(plan, makeKernels);
      const contexts = Array.from({ length: init.shared.index + 1 }, () => engine.createContext(init.maxBatch));
      ctx = contexts[init.shared.index]!;
      shared = { inputs: contexts.map((c) => c.inputPtr), inputPtr: ctx.inputPtr, outputPtr: ctx.outputPtr, top: engine.kernels("gpu").arena.mark() };
    } else {
      ctx = new ExecutionContext(plan, makeKernels, init.maxBatch);
    }
    if (init.faultAt !== undefined) injectFault(ctx, init.faultAt);
    post({ kind: "ready", inputSize: ctx.input(1).length, outputSize: ctx.outputSize, shared } satisfies StreamReady);
  } catch (e) {
    post({ kind: "error", code: e instanceof OctetError ? e.code : "BAD_ARGUMENT", message: (e as Error).message } satisfies StreamReady);
    return;
  }
  const control = new Int32Array(init.control);
  const split = init.shared?.device !== undefined ? init.shared : undefined;
  const run = split
    ? deviceRunner(ctx, split.device as Device, new Int32Array(split.events!), new Float64Array(split.times!))
    : shared ? (n: number) => ctx.enqueue(n) : copyingRun(ctx, init);
  for (;;) {
    const seen = Atomics.load(control, STATE);
    if (seen !== RUN && seen !== EXIT) Atomics.wait(control, STATE, seen);
    const state = Atomics.load(control, STATE);
    if (state === EXIT) return;
    if (state !== RUN) continue;
    const n = control[BATCH]!;
    try {
      const t0 = performance.now();
      const busy = run(n);
      // A device thread counts its steps' time only, not its waits on other devices.
      Atomics.add(control, BUSY_US, busy ?? Math.round((performance.now() - t0) * 1000));
      Atomics.store(control, STATE, DONE);
    } catch (e) {
      post({ kind: "fault", code: e instanceof OctetError ? e.code : "DEVICE_FAULT", message: (e as Error).message });
      Atomics.store(control, STATE, FAULT);
    }
    Atomics.notify(control, STATE);
  }
}

/** A stream with its own memory: images in from the input block, probabilities out to the output block. */
function copyingRun(ctx: ExecutionContext, init: StreamInit): (n: number) => undefined {
  const floatInput = ctx.inputFormat.dtype === "f32";
  const input = floatInput ? new Float32Array(init.input) : new Int8Array(init.input);
  const output = new Float32Array(init.output);
  const per = ctx.input(1).length;
  return (n) => {
    (ctx.input(n) as Float32Array).set((input as Float32Array).subarray(0, n * per));
    ctx.enqueue(n);
    output.set(ctx.output(n));
  };
}

/** Replaces one step's runner by one that traps as a kernel would (tests of fault handling). */
function injectFault(c: ExecutionContext, step: string): void {
  const i = c.plan.nodes.findIndex((nd) => nd.name === step);
  if (i < 0) throw new OctetError("BAD_OPTION", `faultAt: no step named "${step}"`);
  (c as unknown as { runners: ((n: number, p: boolean) => void)[] }).runners[i] = () => {
    throw new WebAssembly.RuntimeError("unreachable");
  };
}
