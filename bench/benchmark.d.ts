// Minimal types for benchmark.js (CommonJS; ESM gets module.exports as the
// default import). Only what the benchmarks use.
declare module "benchmark" {
  interface Options {
    maxTime?: number;
    minSamples?: number;
  }
  interface Stats {
    mean: number;
    rme: number;
    sample: number[];
  }
  class Benchmark {
    constructor(name: string, fn: () => void, options?: Options);
    run(): Benchmark;
    readonly stats: Stats;
    readonly error?: unknown;
    readonly hz: number;
  }
  export default Benchmark;
}
