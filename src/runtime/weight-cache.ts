// Weights uploaded once per device instance: every execution context made
// on the same kernel instance (an Engine's, src/engine/engine.ts) finds a
// layer's packed parameters already in that memory, keyed by the plan's
// arrays themselves, and holds only its own activations.
import type { Kernels } from "./kernels.js";

const uploads = new WeakMap<Kernels, WeakMap<object, unknown>>();

/** `make()` once per (kernel instance, source array); later calls return the first result. */
export function uploadOnce<T>(k: Kernels, source: object, make: () => T): T {
  let cache = uploads.get(k);
  if (!cache) uploads.set(k, (cache = new WeakMap()));
  if (cache.has(source)) return cache.get(source) as T;
  const value = make();
  cache.set(source, value);
  return value;
}
