// Compiles a fused DLA subgraph into the command list the DLA engine runs in
// one call (assembly/engine/dla-engine.ts). A convolution or fully connected
// layer followed by its in-place ReLU becomes one command with ReLU fused.
import { reluFusesInto } from "../model/chain.js";
import type { Layer } from "../model/graph.js";
import type { Step } from "../builder/fuse.js";
import { fail } from "../errors.js";

export const DLA_COMMAND_WORDS = 16;

const OPCODE = { conv: 1, maxpool: 2, avgpool: 3, fc: 4, relu: 5 } as const;

export interface DlaCommandSource {
  /** Layer names this command runs, e.g. "ip1 + relu1". */
  name: string;
  layer: Layer;
  relu: boolean;
  /** Tensor the command writes: the ReLU's output when one is fused. */
  output: string;
}

/** Groups the step's layers into commands (ReLU fused into conv/fc where it follows one). */
export function dlaCommands(step: Step): DlaCommandSource[] {
  const out: DlaCommandSource[] = [];
  const layers = step.layers.map((p) => p.layer);
  for (let i = 0; i < layers.length; i++) {
    const layer = layers[i]!;
    const next = layers[i + 1];
    const fusable = reluFusesInto(layer, next);
    out.push({ name: fusable ? `${layer.name} + ${next!.name}` : layer.name, layer, relu: fusable, output: fusable ? next!.output : layer.output });
    if (fusable) i++;
  }
  return out;
}

export interface CommandPointers {
  x: number;
  y: number;
  /** For conv / fc: device pointers of packed weights, bias, multipliers. */
  weights?: number;
  bias?: number;
  mult?: number;
  scratch?: number;
}

/** One command's 16 words. Shapes are per image: input [C, H, W]. */
export function encodeCommand(src: DlaCommandSource, input: readonly number[], ptr: CommandPointers): Int32Array {
  const w = new Int32Array(DLA_COMMAND_WORDS);
  const [C, H, W] = input as [number, number, number];
  const l = src.layer;
  w.set([0, ptr.x, C, H, W]);
  switch (l.type) {
    case "convolution":
      w[0] = OPCODE.conv;
      w.set([ptr.weights!, ptr.bias!, ptr.mult!, l.numOutput, l.kernel, l.stride, l.pad, ptr.y, src.relu ? 1 : 0, ptr.scratch!], 5);
      break;
    case "pooling":
      w[0] = l.method === "max" ? OPCODE.maxpool : OPCODE.avgpool;
      w.set([l.window, l.stride, ptr.y], 5);
      break;
    case "fully_connected":
      w[0] = OPCODE.fc;
      w.set([ptr.weights!, ptr.bias!, ptr.mult!, l.numOutput, ptr.y, src.relu ? 1 : 0], 5);
      break;
    case "relu":
      w[0] = OPCODE.relu;
      w[2] = Math.ceil(C / 32) * 32 * H * W;
      w[3] = ptr.y;
      break;
    case "softmax":
      return fail("BAD_ARGUMENT", `plan: softmax ${l.name} cannot run on the DLA (placement puts it on the GPU)`);
  }
  return w;
}
