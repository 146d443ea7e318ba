// Node-only: reads a model (graph JSON + weights file) from disk.
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { parseGraph, type Graph } from "./graph.js";
import { decodeWeights, encodeWeights, type WeightMap } from "./weights-file.js";
import { assembleModel, type Model } from "./model.js";
import { fail } from "../errors.js";
import { importOnnx } from "../onnx/import.js";

/** models/lenet.json in this package (build/src/model/ -> models/). */
export function defaultModelPath(): string {
  return fileURLToPath(new URL("../../../models/lenet.json", import.meta.url));
}

/** Loads octet's JSON graph + weights, or an ONNX model (.onnx). */
export function loadModel(graphPath = defaultModelPath()): Model {
  if (graphPath.toLowerCase().endsWith(".onnx")) return importOnnx(readBytes(graphPath, "MODEL_FORMAT"), graphPath);
  const graph = parseGraph(readText(graphPath), graphPath);
  const weightsPath = join(dirname(resolve(graphPath)), graph.weights);
  return assembleModel(graph, decodeWeights(readBytes(weightsPath), weightsPath), weightsPath);
}

/** Reads just the graph of an octet JSON model (training makes its own weights). */
export function loadGraph(graphPath: string): Graph {
  if (graphPath.toLowerCase().endsWith(".onnx")) fail("MODEL_FORMAT", `${graphPath}: octet trains its own JSON graphs; an ONNX model brings its weights (use it with \`octet infer --model\`)`);
  return parseGraph(readText(graphPath), graphPath);
}

export function saveWeights(graphPath: string, weightsFile: string, weights: WeightMap): string {
  const path = join(dirname(resolve(graphPath)), weightsFile);
  writeFileSync(path, encodeWeights(weights));
  return path;
}

function readText(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (e) {
    return fail("MODEL_FORMAT", `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

function readBytes(path: string, code: "WEIGHTS_FORMAT" | "MODEL_FORMAT" = "WEIGHTS_FORMAT"): Uint8Array {
  try {
    return readFileSync(path);
  } catch (e) {
    return fail(code, `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
