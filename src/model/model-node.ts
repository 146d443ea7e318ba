// Node-only: reads a model (graph JSON + weights file, or an ONNX model and
// the external data files beside it) from disk.
import { readFileSync, realpathSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import { parseGraph, type Graph } from "./graph.js";
import { decodeWeights, encodeWeights, type WeightMap } from "./weights-file.js";
import { assembleModel, type Model } from "./model.js";
import { fail, OctetError } from "../errors.js";
import { importOnnx, checkExternalLocation, type ImportOptions } from "../onnx/import.js";

/** models/lenet.json in this package (build/src/model/ -> models/). */
export function defaultModelPath(): string {
  return fileURLToPath(new URL("../../../models/lenet.json", import.meta.url));
}

/** Loads octet's JSON graph + weights, or an ONNX model (.onnx). */
export function loadModel(graphPath = defaultModelPath()): Model {
  if (graphPath.toLowerCase().endsWith(".onnx")) return importOnnx(readOnnxBytes(graphPath), graphPath, onnxImportOptions(graphPath));
  const graph = parseGraph(readText(graphPath), graphPath);
  const path = weightsPath(graphPath, graph.weights);
  return assembleModel(graph, decodeWeights(readBytes(path), path), path);
}

/** Reads just the graph of an octet JSON model (training makes its own weights). */
export function loadGraph(graphPath: string): Graph {
  if (graphPath.toLowerCase().endsWith(".onnx")) fail("MODEL_FORMAT", `${graphPath}: octet trains its own JSON graphs; an ONNX model brings its weights (use it with \`octet infer --model\`)`);
  return parseGraph(readText(graphPath), graphPath);
}

/** Where the weights file named `weightsFile` by the graph at `graphPath` lives (relative to the graph). */
export function weightsPath(graphPath: string, weightsFile: string): string {
  return join(dirname(resolve(graphPath)), weightsFile);
}

export function saveWeights(graphPath: string, weightsFile: string, weights: WeightMap): string {
  const path = weightsPath(graphPath, weightsFile);
  try {
    writeFileSync(path, encodeWeights(weights));
  } catch (e) {
    return fail("WEIGHTS_FORMAT", `${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  return path;
}

/** An ONNX model file's bytes (regular file, at most 2 GiB). */
export function readOnnxBytes(path: string): Uint8Array {
  return readBytes(path, "MODEL_FORMAT");
}

/** Most bytes one external data file may have (ONNX Runtime's own limit for a tensor file is far above any CNN octet runs). */
const MAX_EXTERNAL_FILE_BYTES = 2 ** 31;

/**
 * The import options for the ONNX model at `modelPath`: external tensor data
 * is read from files in the model's folder (or below it) only. The importer
 * has already refused absolute locations and ".." leaving the folder; here
 * the path is checked again after resolving symbolic links, and the file must
 * be a regular file of at most 2 GiB.
 */
export function onnxImportOptions(modelPath: string): ImportOptions {
  return {
    readExternal: (location) => {
      const relative = checkExternalLocation(location, `${modelPath}: external data`);
      const folder = dirname(resolve(modelPath));
      const path = resolve(folder, relative);
      const inside = (p: string, dir: string) => p.startsWith(dir.endsWith(sep) ? dir : dir + sep);
      if (!inside(path, folder)) fail("MODEL_FORMAT", `${modelPath}: external data ${JSON.stringify(location)} is outside the model's folder`);
      let real: string;
      try {
        real = realpathSync(path);
        if (!inside(real, realpathSync(folder))) fail("MODEL_FORMAT", `${modelPath}: external data ${JSON.stringify(location)} links outside the model's folder`);
      } catch (e) {
        if (e instanceof OctetError) throw e;
        return fail("MODEL_FORMAT", `${modelPath}: external data file ${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
      }
      return readChecked(real, "MODEL_FORMAT", MAX_EXTERNAL_FILE_BYTES, "external data file");
    },
  };
}

/** Largest files read: a graph JSON is a few KB; protobuf caps ONNX at 2 GiB; the weights header's u32 payload size caps weights. */
const MAX_GRAPH_BYTES = 16 * 2 ** 20;
const MAX_ONNX_BYTES = 2 ** 31;
const MAX_WEIGHTS_BYTES = 2 ** 32 + 20;

function readText(path: string): string {
  return new TextDecoder().decode(readChecked(path, "MODEL_FORMAT", MAX_GRAPH_BYTES, "graph"));
}

function readBytes(path: string, code: "WEIGHTS_FORMAT" | "MODEL_FORMAT" = "WEIGHTS_FORMAT"): Uint8Array {
  return code === "MODEL_FORMAT" ? readChecked(path, code, MAX_ONNX_BYTES, "ONNX model") : readChecked(path, code, MAX_WEIGHTS_BYTES, "weights file");
}

function readChecked(path: string, code: "WEIGHTS_FORMAT" | "MODEL_FORMAT", limit: number, what: string): Uint8Array {
  try {
    const stat = statSync(path);
    if (stat.isDirectory()) fail(code, `${path}: is a folder, expected a ${what}`);
    if (!stat.isFile()) fail(code, `${path}: is not a regular file, expected a ${what}`);
    if (stat.size > limit) fail(code, `${path}: ${stat.size} bytes is more than a ${what} may be (${limit} bytes)`);
    return readFileSync(path);
  } catch (e) {
    if (e instanceof OctetError) throw e;
    return fail(code, `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
