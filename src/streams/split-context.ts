// A context whose devices run on their own threads: the GPU's steps on one
// worker, the DLA's on another, each instance on that device's shared
// memory, so a copy between devices is a transfer between two memories. A
// step waits only for the other device's steps it depends on (device-steps.ts),
// so independent branches on different devices overlap, and several split
// contexts of one engine keep both devices busy. enqueueAsync resolves when
// every device thread has finished; lastSteps() gives each step's start and
// end on one clock (a track per device).
import type { Plan } from "../engine/plan.js";
import type { Device } from "../builder/capabilities.js";
import { fail, OctetError } from "../errors.js";
import type { Spawn, Stream } from "./stream.js";
import { sharedMemories, startEngineThread, type SharedEngineOptions } from "./shared-engine.js";
import { stepOwners, sharedClock, STOPPED_WAITING } from "./device-steps.js";

export interface StepSpan {
  name: string;
  device: Device;
  /** Milliseconds on the shared clock (performance.timeOrigin + performance.now() in any thread). */
  start: number;
  end: number;
}

export class SplitContext {
  readonly label: string;
  readonly maxBatch: number;
  readonly inputSize: number;
  readonly outputSize: number;
  readonly devices: Device[];
  private readonly times: Float64Array;
  private readonly owners: Device[];

  private constructor(private readonly plan: Plan, private readonly threads: { device: Device; stream: Stream }[], times: SharedArrayBuffer, label: string) {
    this.label = label;
    const io = threads[0]!.stream;
    this.maxBatch = io.maxBatch;
    this.inputSize = io.inputSize;
    this.outputSize = io.outputSize;
    this.devices = threads.map((t) => t.device);
    this.times = new Float64Array(times);
    this.owners = stepOwners(plan);
  }

  /**
   * Context `index` of a split engine on `memories` (from sharedMemories;
   * contexts 0..index-1 already started there), a thread per device that owns
   * steps; `expected` holds the earlier contexts' input pointers.
   */
  static async start(
    spawn: Spawn, plan: Plan, maxBatch: number, memories: Record<string, WebAssembly.Memory>, index: number, expected: number[],
    label = "split context", options: SharedEngineOptions = {},
  ): Promise<SplitContext> {
    const owners = stepOwners(plan);
    const devices = [...new Set(owners)];
    const events = new SharedArrayBuffer(4 * plan.nodes.length);
    const times = new SharedArrayBuffer(16 * plan.nodes.length);
    const threads: { device: Device; stream: Stream }[] = [];
    try {
      for (const device of devices) {
        const stream = await startEngineThread(spawn, plan, maxBatch, { memories, index, device, events, times }, expected, `${label} ${device.toUpperCase()}`, options);
        threads.push({ device, stream });
      }
    } catch (e) {
      await Promise.all(threads.map((t) => t.stream.dispose()));
      throw e;
    }
    return new SplitContext(plan, threads, times, label);
  }

  /** Where this context's input is in the GPU memory (the next context of the engine checks against it). */
  get inputPtr(): number {
    return this.threads[0]!.stream.shared!.inputPtr;
  }

  input(n = this.maxBatch): Float32Array | Int8Array {
    return this.threads[0]!.stream.input(n);
  }

  output(n = this.maxBatch): Float32Array {
    return this.threads[0]!.stream.output(n);
  }

  /** Runs n images: every device thread runs its steps, in dependency order across devices. */
  async enqueueAsync(n: number): Promise<void> {
    const settled = await Promise.allSettled(this.threads.map((t) => t.stream.enqueueAsync(n)));
    const errors = settled.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
    if (errors.length === 0) return;
    // The thread that faulted first names the step; the others only stopped waiting for it.
    const cause = errors.find((e) => !e.message.includes(STOPPED_WAITING)) ?? errors[0]!;
    throw cause instanceof OctetError ? new OctetError(cause.code, `${this.label}: ${cause.message.replace(/^[^:]*: /, "")}`) : cause;
  }

  /** Each step of the last enqueue, on the shared clock. */
  lastSteps(): StepSpan[] {
    return this.plan.nodes.map((node, i) => ({ name: node.name, device: this.owners[i]!, start: this.times[2 * i]!, end: this.times[2 * i + 1]! }));
  }

  /** Microseconds each device thread has spent running steps (not waiting). */
  deviceBusyMicroseconds(): { device: Device; us: number }[] {
    return this.threads.map((t) => ({ device: t.device, us: t.stream.busyMicroseconds() }));
  }

  /** The most any of its device threads has been busy (a stream's utilisation in runConcurrent). */
  busyMicroseconds(): number {
    return Math.max(...this.threads.map((t) => t.stream.busyMicroseconds()));
  }

  async dispose(): Promise<void> {
    await Promise.all(this.threads.map((t) => t.stream.dispose()));
  }

  /** Resolves once every device thread has ended. */
  get exited(): Promise<number[]> {
    return Promise.all(this.threads.map((t) => t.stream.exited));
  }
}

/** `count` split contexts of one engine of `plan`: each device's steps of each context on a thread of its own. */
export async function startSplitEngine(spawn: Spawn, plan: Plan, maxBatch: number, count: number, options: SharedEngineOptions = {}): Promise<SplitContext[]> {
  if (!Number.isInteger(count) || count < 1 || count > 32) fail("BAD_OPTION", `split contexts: expected an integer in 1..32, found ${count}`);
  const memories = sharedMemories(plan);
  const contexts: SplitContext[] = [];
  try {
    for (let index = 0; index < count; index++) {
      const label = options.labels?.[index] ?? `context ${index}`;
      contexts.push(await SplitContext.start(spawn, plan, maxBatch, memories, index, contexts.map((c) => c.inputPtr), label, options));
    }
  } catch (e) {
    await Promise.all(contexts.map((c) => c.dispose()));
    throw e;
  }
  return contexts;
}

export { sharedClock };
