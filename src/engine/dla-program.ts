// Compiles a fused DLA subgraph into the command list the DLA engine runs in
// one call (assembly/engine/dla-engine.ts). A convolution or fully connected
// layer followed by its in-place ReLU becomes one command with ReLU fused.
import type { Layer } from "../model/graph.js";
import { fusedOps, type Step } from "../builder/fuse.js";
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

/** The step's layers as commands (ReLU fused into the conv / fc it alone reads, as the fusion pass decided). */
export function dlaCommands(step: Step): DlaCommandSource[] {
  return fusedOps(step).map((op) => ({ name: op.name, layer: op.layer, relu: op.relu !== null, output: op.output }));
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
      w.set([ptr.weights!, ptr.bias!, ptr.mult!, l.numOutput, l.kernelShape[0], l.strides[0], l.pads[0], ptr.y, src.relu ? 1 : 0, ptr.scratch!], 5);
      break;
    case "pooling":
      w[0] = l.method === "max" ? OPCODE.maxpool : OPCODE.avgpool;
      w.set([l.kernelShape[0], l.strides[0], ptr.y], 5);
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
    default:
      return fail("BAD_ARGUMENT", `plan: ${l.type} ${l.name} has no DLA engine command (placement puts it on the GPU)`);
  }
  return w;
}
