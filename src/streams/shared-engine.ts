// An engine whose device memories are shared by several threads (the
// threads wasm build, one WebAssembly.Memory per device with shared: true):
// the weights are uploaded once into each memory, and each thread serves one
// execution context of the engine, holding only its activations. Threads
// start one after another; each builds contexts 0..k in the same order, so
// the addresses agree in every thread, which is checked before any runs.
import type { Plan } from "../engine/plan.js";
import { planDevices } from "../engine/context.js";
import { sharedMemory } from "../runtime/kernels.js";
import { fail } from "../errors.js";
import { Stream, streamsMissing, type Spawn } from "./stream.js";
import type { SharedEngineInit } from "./protocol.js";

export interface SharedEngineOptions {
  /** The threads build, compiled (a browser worker cannot read it from disk). */
  module?: WebAssembly.Module;
  /** Names for errors and reports, one per thread (default "thread k"). */
  labels?: string[];
  faultAt?: string;
}

/** One shared memory per device the plan uses. */
export function sharedMemories(plan: Plan): Record<string, WebAssembly.Memory> {
  const missing = streamsMissing();
  if (missing) fail("WASM_UNSUPPORTED", missing);
  const memories: Record<string, WebAssembly.Memory> = {};
  for (const device of planDevices(plan)) memories[device] = sharedMemory();
  return memories;
}

/**
 * Starts one thread of a shared engine and checks that the contexts it built
 * before its own are where the earlier threads' are (`expected`, the input
 * pointer of contexts 0..index-1).
 */
export async function startEngineThread(
  spawn: Spawn, plan: Plan, maxBatch: number, shared: SharedEngineInit, expected: number[], label: string, options: SharedEngineOptions = {},
): Promise<Stream> {
  const thread = await Stream.start(spawn, plan, maxBatch, { label, faultAt: options.faultAt, shared }, options.module);
  const placed = thread.shared?.inputs ?? [];
  if (placed.length !== shared.index + 1 || expected.slice(0, shared.index).some((p, j) => placed[j] !== p)) {
    await thread.dispose();
    fail("DEVICE_FAULT", `${label}: its contexts are at [${placed.join(", ")}] in the shared memory, the other threads' at [${expected.join(", ")}]`);
  }
  return thread;
}

/** `count` threads of one engine of `plan` on shared memories, each with a context for batches up to maxBatch. */
export async function startSharedEngine(spawn: Spawn, plan: Plan, maxBatch: number, count: number, options: SharedEngineOptions = {}): Promise<Stream[]> {
  if (!Number.isInteger(count) || count < 1 || count > 64) fail("BAD_OPTION", `threads: expected an integer in 1..64, found ${count}`);
  const memories = sharedMemories(plan);
  const threads: Stream[] = [];
  try {
    for (let index = 0; index < count; index++) {
      const label = options.labels?.[index] ?? `thread ${index}`;
      threads.push(await startEngineThread(spawn, plan, maxBatch, { memories, index }, threads.map((t) => t.shared!.inputPtr), label, options));
    }
  } catch (e) {
    await Promise.all(threads.map((t) => t.dispose()));
    throw e;
  }
  return threads;
}
