// Streams: execution contexts that run on their own threads, so several run
// at the same time (trtexec's --streams; a GPU context and a DLA context side
// by side, what the DLA is for). Each stream is a worker (Node's
// worker_threads: spawn-node.ts; a browser's Web Worker: spawn-browser.ts)
// holding one execution context of the plan, with the plan's weights
// uploaded once into its own device instances; the caller writes images into
// shared memory and awaits enqueueAsync, which moves no messages
// (protocol.ts). A fault inside the worker comes back as a typed error
// naming the stream, the device and the step; dispose() ends the worker, so
// a process exits by itself.
import { serializePlan } from "../engine/plan-file.js";
import type { Plan } from "../engine/plan.js";
import { fail, OctetError, type OctetErrorCode } from "../errors.js";
import { inferShapes, volume } from "../model/shapes.js";
import { imageBytes, parseFormat } from "../core/format.js";
import type { Device } from "../builder/capabilities.js";
import { BATCH, BUSY_US, CONTROL_WORDS, DONE, EXIT, FAULT, RUN, STATE, type SharedEngineInit, type SharedReady, type StreamFault, type StreamInit, type StreamReady } from "./protocol.js";

/** A started worker, whatever the platform: messages from it, its end, keeping the caller alive while it works. */
export interface WorkerPort {
  onMessage(f: (m: unknown) => void): void;
  onError(f: (e: unknown) => void): void;
  exited: Promise<number>;
  /** Node: whether the worker keeps the process alive (a browser page has no such notion). */
  ref(): void;
  unref(): void;
  terminate(): Promise<void>;
}

/** Starts the stream worker with its init message. */
export type Spawn = (init: StreamInit) => WorkerPort;

export interface StreamOptions {
  flavor?: "release" | "debug";
  /** A name for errors and reports, e.g. "GPU" or "DLA core 1". */
  label?: string;
  /** Tests: the step that traps on every enqueue. */
  faultAt?: string;
  /** A thread of a shared engine (shared-engine.ts): the memories every thread uses and this thread's context. */
  shared?: SharedEngineInit;
}

/** Why this platform cannot run streams (no SharedArrayBuffer or Atomics.waitAsync), or null when it can. */
export function streamsMissing(): string | null {
  if (typeof SharedArrayBuffer === "undefined") return "threads need SharedArrayBuffer, which this platform lacks (a browser page must be cross-origin isolated)";
  if (typeof Atomics.waitAsync !== "function") return "threads need Atomics.waitAsync, which this platform lacks";
  return null;
}

export class Stream {
  readonly label: string;
  readonly maxBatch: number;
  readonly inputSize: number;
  readonly outputSize: number;
  private readonly control: Int32Array;
  private readonly inputView: Float32Array | Int8Array;
  private readonly outputView: Float32Array;
  private lastFault: StreamFault | null = null;
  private faultWaiters: ((f: StreamFault) => void)[] = [];
  private busy = false;
  private closed = false;
  /** Resolves with the worker's exit code once its thread has ended. */
  readonly exited: Promise<number>;

  /** The device this thread stands for: a split context's device thread's, else the plan's main device. */
  readonly devices: Device[];
  /** For a thread of a shared engine: where its contexts are in the shared memory. */
  readonly shared: SharedReady | undefined;

  private constructor(private readonly worker: WorkerPort, init: StreamInit, ready: Extract<StreamReady, { kind: "ready" }>, label: string, floatInput: boolean, devices: Device[]) {
    this.label = label;
    this.devices = devices;
    this.maxBatch = init.maxBatch;
    this.inputSize = ready.inputSize;
    this.outputSize = ready.outputSize;
    this.control = new Int32Array(init.control);
    this.shared = ready.shared;
    if (init.shared && ready.shared) {
      // A shared memory's buffer never detaches: views made now stay valid when other threads grow it.
      const memory = init.shared.memories.gpu!.buffer;
      const n = init.maxBatch;
      this.inputView = floatInput ? new Float32Array(memory, ready.shared.inputPtr, n * this.inputSize) : new Int8Array(memory, ready.shared.inputPtr, n * this.inputSize);
      this.outputView = new Float32Array(memory, ready.shared.outputPtr, n * this.outputSize);
    } else {
      this.inputView = floatInput ? new Float32Array(init.input) : new Int8Array(init.input);
      this.outputView = new Float32Array(init.output);
    }
    this.exited = worker.exited;
    worker.onMessage((msg) => {
      const m = msg as StreamFault;
      if (m.kind !== "fault") return;
      this.lastFault = m;
      for (const w of this.faultWaiters.splice(0)) w(m);
    });
    // After the listeners: a stream the caller forgets to dispose does not keep the process alive.
    worker.unref();
  }

  /** Starts a worker (with `spawn`) holding its own execution context of `plan` for batches up to maxBatch. */
  static async start(spawn: Spawn, plan: Plan, maxBatch: number, options: StreamOptions = {}, module?: WebAssembly.Module): Promise<Stream> {
    const missing = streamsMissing();
    if (missing) fail("WASM_UNSUPPORTED", missing);
    if (!Number.isInteger(maxBatch) || maxBatch < 1) fail("BAD_ARGUMENT", `batch size must be a positive integer, got ${maxBatch}`);
    const format = parseFormat(plan.options.inputFormat, "plan input format");
    const floatInput = format.dtype === "f32";
    const perImage = imageBytes(format, plan.graph.input.shape);
    const outputs = volume(inferShapes(plan.graph).tensors.get(plan.graph.output)!);
    const shared = options.shared;
    if (shared && !shared.memories.gpu) fail("BAD_ARGUMENT", "a thread of a shared engine needs the GPU's shared memory");
    const init: StreamInit = {
      plan: serializePlan(plan), maxBatch, flavor: options.flavor ?? "release",
      control: new SharedArrayBuffer(CONTROL_WORDS * 4),
      input: new SharedArrayBuffer(shared ? 0 : perImage * maxBatch),
      output: new SharedArrayBuffer(shared ? 0 : 4 * maxBatch * outputs),
      faultAt: options.faultAt, module, shared,
    };
    const worker = spawn(init);
    let first = true;
    const ready = await new Promise<StreamReady>((resolve, reject) => {
      worker.onMessage((m) => {
        if (first) resolve(m as StreamReady);
        first = false;
      });
      worker.onError(reject);
    });
    if (ready.kind === "error") {
      await worker.terminate();
      throw new OctetError(ready.code as OctetErrorCode, `stream ${options.label ?? ""}: ${ready.message}`.replace("stream : ", "stream: "));
    }
    // A thread running a whole plan is its main device's (a DLA plan's GPU fallback steps run on the DLA context's thread).
    const devices = shared?.device ? [shared.device as Device] : [plan.options.device];
    return new Stream(worker, init, ready, options.label ?? "stream", floatInput, devices);
  }

  /** The input buffer for n images (the plan's input format). */
  input(n = this.maxBatch): Float32Array | Int8Array {
    return this.inputView.subarray(0, n * this.inputSize);
  }

  /** The output of the last enqueue: n images' values. */
  output(n = this.maxBatch): Float32Array {
    return this.outputView.subarray(0, n * this.outputSize);
  }

  /** Runs n images on the stream's thread; resolves when its outputs are in output(n). */
  async enqueueAsync(n: number): Promise<void> {
    if (this.closed) fail("BAD_ARGUMENT", `${this.label}: the stream is disposed`);
    if (!(Number.isInteger(n) && n >= 1 && n <= this.maxBatch)) fail("BAD_ARGUMENT", `enqueue: batch of ${n} images, expected 1..${this.maxBatch}`);
    if (this.busy) fail("BAD_ARGUMENT", `${this.label}: an enqueue is already running on this stream; await it first`);
    this.busy = true;
    // A pending Atomics.waitAsync does not keep the event loop alive; the worker does, while it runs.
    this.worker.ref();
    try {
      const c = this.control;
      c[BATCH] = n;
      Atomics.store(c, STATE, RUN);
      Atomics.notify(c, STATE);
      // Always yield at least once, so a second enqueue on this stream meanwhile is refused whatever the
      // worker's speed; and wait again after a wake that finds the worker still running.
      let yielded = false;
      while (Atomics.load(c, STATE) === RUN) {
        const wait = Atomics.waitAsync(c, STATE, RUN);
        if (!wait.async) break;
        await wait.value;
        yielded = true;
      }
      if (!yielded) await null;
      const state = Atomics.load(c, STATE);
      if (state === FAULT) {
        const f = this.lastFault ?? await new Promise<StreamFault>((resolve) => this.faultWaiters.push(resolve));
        this.lastFault = null;
        throw new OctetError(f.code as OctetErrorCode, `${this.label}: ${f.message}`);
      }
      if (state !== DONE) fail("DEVICE_FAULT", `${this.label}: the stream's worker is gone (state ${state})`);
    } finally {
      this.busy = false;
      this.worker.unref();
    }
  }

  /** The worker's time in enqueue so far, in microseconds (utilisation = its growth over a wall time). */
  busyMicroseconds(): number {
    return Atomics.load(this.control, BUSY_US);
  }

  /** Ends the worker; the stream cannot be used again. */
  async dispose(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    Atomics.store(this.control, STATE, EXIT);
    Atomics.notify(this.control, STATE);
    // Awaiting the thread's end must keep the event loop alive.
    this.worker.ref();
    await this.worker.terminate();
  }
}

