// `octet train`: trains the model's FP32 weights from scratch on the MNIST
// training set with Caffe's LeNet solver and writes them next to the graph.
import { parseArgs, helpText, type OptionSpec, type ParsedArgs } from "./args.js";
import { checkWritableFile, type Io } from "./io.js";
import { Progress } from "./progress.js";
import { defaultModelPath, saveWeights, loadGraph, weightsPath } from "../model/model-node.js";
import { assembleModel } from "../model/model.js";
import { loadMnist, defaultMnistDir } from "../data/mnist-node.js";
import { loadKernels } from "../runtime/wasm-source-node.js";
import { Trainer, CAFFE_LENET_SOLVER } from "../train/trainer.js";
import { Fp32Network } from "../exec/fp32-network.js";
import { evaluate } from "../exec/evaluate.js";
import { Rng } from "../util/rng.js";

const S = CAFFE_LENET_SOLVER;
export const TRAIN_OPTIONS: readonly OptionSpec[] = [
  { name: "model", kind: "string", arg: "file.json", help: "graph to train; weights go to the file it names" },
  { name: "data", kind: "string", arg: "dir", help: "folder with the four standard IDX files" },
  { name: "epochs", kind: "int", min: 1, max: 1000, default: S.epochs, help: "passes over the training set" },
  { name: "batch", kind: "int", min: 1, max: 4096, default: S.batch, help: "images per SGD step" },
  { name: "lr", kind: "number", min: 0, default: S.baseLr, help: "base learning rate (Caffe \"inv\" policy)" },
  { name: "seed", kind: "int", min: 0, default: S.seed, help: "random seed for initialisation and shuffling" },
  { name: "out", kind: "string", arg: "file", help: "weights file to write (default: the one the graph names)" },
  { name: "help", kind: "flag", help: "show this help" },
];

/** `octet train`'s arguments, parsed and checked: null for --help. */
export function trainArgs(argv: string[]): ParsedArgs | null {
  const args = parseArgs(argv, TRAIN_OPTIONS, "train");
  return args.flag("help") ? null : args;
}

export function runTrain(argv: string[], io: Io): number {
  const args = trainArgs(argv);
  if (!args) {
    io.out(helpText("octet train [options]", "Trains FP32 weights from scratch on the MNIST training set (SGD with momentum, as Caffe's lenet_solver).", TRAIN_OPTIONS));
    return 0;
  }
  const modelPath = args.str("model") ?? defaultModelPath();
  const graph = loadGraph(modelPath);
  const outFile = args.str("out") ?? graph.weights;
  checkWritableFile(weightsPath(modelPath, outFile), args.given("out") ? "--out" : `the graph's "weights"`);
  const { train, test } = loadMnist(args.str("data") ?? defaultMnistDir());
  const config = { ...S, epochs: args.int("epochs"), batch: args.int("batch"), baseLr: args.num("lr"), seed: args.int("seed") };
  io.out(`[I] Training ${graph.name} on ${train.count} images: ${config.epochs} epochs, batch ${config.batch}, ` +
    `SGD lr ${config.baseLr} (inv, gamma ${config.gamma}, power ${config.power}), momentum ${config.momentum}, ` +
    `weight decay ${config.weightDecay}, seed ${config.seed}`);
  const trainer = new Trainer(loadKernels("release"), graph, config);
  const rng = new Rng(config.seed ^ 0x5eed);
  const started = performance.now();
  let accuracy = 0;
  for (let e = 1; e <= config.epochs; e++) {
    const progress = new Progress(`[I] epoch ${e}/${config.epochs}`);
    const report = trainer.epoch(train, e, rng, (done, total, loss) => progress.update(done, total, `loss ${loss.toFixed(4)}`));
    progress.done();
    const net = new Fp32Network(loadKernels("release"), assembleModel(graph, trainer.weights()), 100);
    accuracy = evaluate(net, test).top1;
    io.out(`[I] epoch ${e}: ${report.iterations} iterations, mean loss ${report.meanLoss.toFixed(4)}, ` +
      `${report.seconds.toFixed(1)} s, test top-1 ${accuracy.toFixed(4)}`);
  }
  const written = saveWeights(modelPath, outFile, trainer.weights());
  const minutes = (performance.now() - started) / 60000;
  io.out(`[I] Wrote ${written} after ${minutes.toFixed(1)} min; FP32 test top-1 ${accuracy.toFixed(4)}`);
  return 0;
}
