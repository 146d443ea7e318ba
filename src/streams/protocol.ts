// The shared-memory protocol between a stream (stream.ts, the caller's
// thread) and its worker (stream-worker.ts): one Int32Array control block
// in a SharedArrayBuffer, the input images and the output probabilities in
// two more, so an enqueue moves no messages, only Atomics.
//   control[STATE]: IDLE -> RUN (caller, with control[BATCH] = n) -> DONE or
//   FAULT (worker); EXIT asks the worker to end. control[BUSY_US]: the
//   worker's time in enqueue, in microseconds, summed (its utilisation).
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
  control: SharedArrayBuffer;
  input: SharedArrayBuffer;
  output: SharedArrayBuffer;
  /** For tests of fault handling: the step whose kernel traps on the next enqueue. */
  faultAt?: string;
  /** The compiled wasm (a browser worker cannot read the build from disk; a Module can be posted). */
  module?: WebAssembly.Module;
}

/** The worker's first message: ready, with the sizes it found, or why it could not start. */
export type StreamReady =
  | { kind: "ready"; inputSize: number; outputSize: number }
  | { kind: "error"; code: string; message: string };

/** After a FAULT: what went wrong. */
export interface StreamFault {
  kind: "fault";
  code: string;
  message: string;
}
