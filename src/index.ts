// octet's library entry, for the browser and for Node: no Node built-ins
// here (Node helpers that read files live in src/node.ts). The CLI and the
// browser demo are thin shells over these exports.
export { OctetError, type OctetErrorCode } from "./errors.js";
export { Kernels, kernelFactory, assertWasmFeatures, type BuildFlavor, type KernelExports } from "./runtime/kernels.js";
export { chooseKernelFactory, chooseIsa, engineHasRelaxedSimd, type Isa, type IsaChoice, type IsaRequest } from "./runtime/isa.js";
export { parseGraph, type Graph, type Layer } from "./model/graph.js";
export { decodeWeights, encodeWeights, type WeightMap } from "./model/weights-file.js";
export { assembleModel, type Model } from "./model/model.js";
export { inferShapes } from "./model/shapes.js";
export { buildPlan, DEFAULT_BUILD, PLAN_VERSION, type Plan, type BuildOptions } from "./engine/plan.js";
export { serializePlan, deserializePlan } from "./engine/plan-file.js";
export { verifyPlan } from "./engine/plan-verify.js";
export { planMemory, type MemoryPlan } from "./engine/memory-plan.js";
export { ExecutionContext, type ContextOptions, type KernelFactory } from "./engine/context.js";
export { Engine } from "./engine/engine.js";
export { Stream, streamsMissing, type StreamOptions, type Spawn, type WorkerPort } from "./streams/stream.js";
export { createBrowserStream, browserSpawn, browserStreamsAvailable, startBrowserThreads } from "./streams/spawn-browser.js";
export { startSharedEngine, type SharedEngineOptions } from "./streams/shared-engine.js";
export { ContextRunner } from "./engine/context-runner.js";
export { measure, type Measurement } from "./engine/measure.js";
export { parseCalibrationTable, writeCalibrationTable } from "./calib/cache.js";
export { F32_NCHW, S8_NCHW4, S8_NC32HW32, formatName, parseFormat, type Format } from "./core/format.js";
export { DLA_VERSIONS, type Device, type DlaVersion, type Precision } from "./builder/capabilities.js";
export { collectStats, scalesFrom, DEFAULT_CALIBRATION, type CalibrationOptions } from "./calib/calibrate.js";
export type { Node as ScheduleNode } from "./builder/schedule.js";
export { Profiler, ENQUEUE_RANGE, type RangeInfo } from "./profiler/profiler.js";
export { profileTable } from "./profiler/reports/profile-table.js";
export { chromeTrace } from "./profiler/reports/chrome-trace.js";
export { exportProfile } from "./profiler/reports/export-profile.js";
export { summarize, formatTime } from "./profiler/reports/stats.js";
export { parseIdx } from "./data/idx.js";
export { imageSetFromIdx, imagesToFloat, type ImageSet } from "./data/dataset.js";
export { evaluate } from "./exec/evaluate.js";
export { mnistPreprocess, MNIST_SIZE } from "./data/preprocess.js";
export { layerErrors, compareTensors, type TensorError } from "./engine/layer-errors.js";
