// The DLA engine: runs a whole fused DLA subgraph in one call, like the
// loadable a real DLA executes. The host compiles the subgraph into a program
// of fixed-size commands (src/engine/dla-program.ts) once at build time; the
// engine walks it, calling the nc32hw32 int8 kernels. With `profile` set it
// reports the end of every layer to the host, which timestamps it, so the
// inside of the fused node can be seen.
import { ldi32 } from "../mem";
import { conv_nc32hw32_s8 } from "../int8/conv-nc32hw32-s8";
import { fc_nc32hw32_s8 } from "../int8/fc-nc32hw32-s8";
import { maxpool_nc32hw32_s8, avgpool_nc32hw32_s8 } from "../int8/pool-nc32hw32-s8";
import { relu_s8 } from "../int8/relu-s8";

@external("env", "octetDlaLayerDone")
declare function layerDone(command: i32): void;

export const DLA_COMMAND_BYTES: i32 = 64;

// Command words (i32), word 0 is the opcode:
//   1 conv    x C H W weights bias mult K kernel stride pad y relu scratch
//   2 maxpool x C H W window stride y
//   3 avgpool x C H W window stride y
//   4 fc      x C H W weights bias mult O y relu
//   5 relu    x bytesPerImage y
@inline function word(command: usize, i: i32): i32 {
  return ldi32(command + (<usize>i << 2));
}

/** Runs `count` commands at `program` on a batch of N images; returns the commands run. */
export function dla_execute(program: usize, count: i32, N: i32, profile: bool): i32 {
  for (let i = 0; i < count; i++) {
    const c = program + <usize>(i * DLA_COMMAND_BYTES);
    const x = <usize>word(c, 1), C = word(c, 2), H = word(c, 3), W = word(c, 4);
    switch (word(c, 0)) {
      case 1:
        conv_nc32hw32_s8(x, N, C, H, W, <usize>word(c, 5), <usize>word(c, 6), <usize>word(c, 7), word(c, 8),
          word(c, 9), word(c, 10), word(c, 11), <usize>word(c, 12), word(c, 13) != 0, <usize>word(c, 14));
        break;
      case 2:
        maxpool_nc32hw32_s8(x, N, C, H, W, word(c, 5), word(c, 6), <usize>word(c, 7));
        break;
      case 3:
        avgpool_nc32hw32_s8(x, N, C, H, W, word(c, 5), word(c, 6), <usize>word(c, 7));
        break;
      case 4:
        fc_nc32hw32_s8(x, N, C, H, W, <usize>word(c, 5), <usize>word(c, 6), <usize>word(c, 7), word(c, 8),
          <usize>word(c, 9), word(c, 10) != 0);
        break;
      case 5:
        relu_s8(x, <usize>word(c, 3), N * word(c, 2));
        break;
      default:
        return i;
    }
    if (profile) layerDone(i);
  }
  return count;
}
