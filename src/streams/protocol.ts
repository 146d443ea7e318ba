// The shared-memory protocol between a stream (stream.ts, the caller's
// thread) and its worker (stream-worker.ts): one Int32Array control block
// in a SharedArrayBuffer, the input images and the output probabilities in
// two more, so an enqueue moves no messages, only Atomics.
//   control[STATE]: IDLE -> RUN (caller, with control[BATCH] = n) -> DONE or
//   FAULT (worker); EXIT asks the worker to end. control[BUSY_US]: the
//   worker's time in enqueue, in microseconds, summed (its utilisation).
// A stream on a shared engine (threads of one device memory, the threads
// wasm build) has no input and output blocks of its own: the caller reads
// and writes its context's buffers in the shared wasm memory itself.
import type { Isa } from "../runtime/isa.js";

export const STATE = 0;
export const BATCH = 1;
export const BUSY_US = 2;
export const CONTROL_WORDS = 4;

export const IDLE = 0;
export const RUN = 1;
export const DONE = 2;
export const FAULT = 3;
export const EXIT = 4;

export interface StreamInit {
  plan: Uint8Array;
  maxBatch: number;
  flavor: "release" | "debug";
  /** Node: the instruction set the caller's release kernels run (src/runtime/isa.ts). */
  isa?: Isa;
  control: SharedArrayBuffer;
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
  /** Set for a thread of a shared engine; `input` and `output` are then unused. */
  shared?: SharedEngineInit;
  /** For tests of fault handling: the step whose kernel traps on the next enqueue. */
  faultAt?: string;
  /** The compiled wasm (a browser worker cannot read the build from disk; a Module can be posted). */
  module?: WebAssembly.Module;
}

/**
 * Every thread of a shared engine instantiates the threads build on the same
 * memories and builds the engine's contexts 0..index in the same order, so
 * the weights (uploaded once, while context 0 is built) and every context
 * land at the same addresses in each; the thread serves context `index`.
 */
export interface SharedEngineInit {
  memories: Record<string, WebAssembly.Memory>;
  index: number;
  /**
   * A device thread of a split context (split-context.ts): it runs only the
   * steps this device owns, each after the other devices' steps it depends
   * on have set their events (one Int32 per step: the enqueue count that
   * finished it; ABORTED after a fault), timing each step into `times`.
   */
  device?: string;
  events?: SharedArrayBuffer;
  times?: SharedArrayBuffer;
}

/** An event word of a step whose thread faulted: whoever waits on it stops. */
export const ABORTED = -1;

/** The worker's first message: ready, with the sizes it found, or why it could not start. */
export type StreamReady =
  | { kind: "ready"; inputSize: number; outputSize: number; shared?: SharedReady }
  | { kind: "error"; code: string; message: string };

/** A shared engine's thread: where its contexts are (checked against the other threads') and where its own keeps its input and output. */
export interface SharedReady {
  /** The input pointer of each context 0..index this thread built. */
  inputs: number[];
  inputPtr: number;
  outputPtr: number;
  /** The GPU memory's allocated top once built. */
  top: number;
}

/** After a FAULT: what went wrong. */
export interface StreamFault {
  kind: "fault";
  code: string;
  message: string;
}
