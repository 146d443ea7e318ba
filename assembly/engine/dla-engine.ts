// The DLA engine: runs a whole fused DLA subgraph in one call, like the
// loadable a real DLA executes. The host compiles the subgraph into a program
// of fixed-size commands once (src/engine/dla-program.ts); each command is
// one nc32hw32 int8 kernel call with its arguments in the kernel's own order.
// With `profile` set the engine reports the end of every layer to the host,
// which timestamps it, so the inside of the fused node can be seen.
import { ldi32, sti32, ldf } from "../mem";
import { conv_nc32hw32_s8 } from "../int8/conv-nc32hw32-s8";
import { fc_nc32hw32_s8 } from "../int8/fc-nc32hw32-s8";
import { maxpool_nc32hw32_s8, avgpool_nc32hw32_s8 } from "../int8/pool-nc32hw32-s8";
import { relu_s8 } from "../int8/relu-s8";
import { convg_nc32hw32_s8 } from "../int8/convg-s8";
import { dwconv_nc32hw32_s8 } from "../int8/dwconv-s8";
import { conv1x1_nc32hw32_s8 } from "../int8/conv1x1-s8";
import { add_s8, sub_s8, mul_s8 } from "../int8/eltwise-s8";
import { concat_channels_nc32hw32_s8 } from "../int8/concat-s8";
import { lut_nc32hw32_s8 } from "../int8/lut-s8";
import { scale_shift_nc32hw32_s8, prelu_nc32hw32_s8 } from "../int8/channel-affine-s8";
import { pad_constant_nc32hw32_s8, resize_nearest_nc32hw32_s8 } from "../int8/pad-resize-s8";
import { pool2d_nc32hw32_s8 } from "../int8/pool2d-nc32hw32-s8";
import { gap_nc32hw32_s8 } from "../int8/gap-s8";

@external("env", "octetDlaLayerDone")
declare function layerDone(layer: i32): void;

export const DLA_COMMAND_BYTES: i32 = 128;

// Command: word 0 the kernel (the ids of DLA_KERNELS in kernel-call.ts; 0 for none),
// word 1 the index + 1 of the layer this command ends (0 inside a layer),
// words 2.. the kernel's arguments in order; the batch argument N is the
// engine's (its word is unused), relu's byte count is per image.
@inline function a(c: usize, i: i32): i32 {
  return ldi32(c + (<usize>(i + 2) << 2));
}
@inline function p(c: usize, i: i32): usize {
  return <usize>ldi32(c + (<usize>(i + 2) << 2));
}
@inline function f(c: usize, i: i32): f32 {
  return ldf(c + (<usize>(i + 2) << 2));
}

// Words 28..31: up to two pointer arguments (index + 1, or 0) with their
// bytes per image; a command that has them runs once per image (N = 1),
// those pointers stepping: a producer writing its slice of a concat buffer.
// Such a command runs from a copy in the spare command slot the host leaves
// after the program.
const IMAGE_WORDS: usize = 28 << 2;

/** Runs `count` commands at `program` (followed by one spare slot) on a batch of N images; returns the commands run. */
export function dla_execute(program: usize, count: i32, N: i32, profile: bool): i32 {
  for (let i = 0; i < count; i++) {
    const c = program + <usize>(i * DLA_COMMAND_BYTES);
    const a0 = ldi32(c + IMAGE_WORDS);
    if (a0 == 0) {
      if (!dispatch(c, N)) return i;
    } else {
      const perImage = program + <usize>(count * DLA_COMMAND_BYTES);
      memory.copy(perImage, c, DLA_COMMAND_BYTES);
      const s0 = ldi32(c + IMAGE_WORDS + 4), a1 = ldi32(c + IMAGE_WORDS + 8), s1 = ldi32(c + IMAGE_WORDS + 12);
      const w0 = <usize>(a0 + 1) << 2, w1 = <usize>(a1 + 1) << 2;
      const p0 = ldi32(c + w0), p1 = a1 != 0 ? ldi32(c + w1) : 0;
      for (let n = 0; n < N; n++) {
        sti32(perImage + w0, p0 + n * s0);
        if (a1 != 0) sti32(perImage + w1, p1 + n * s1);
        if (!dispatch(perImage, 1)) return i;
      }
    }
    const ends = ldi32(c + 4);
    if (profile && ends > 0) layerDone(ends - 1);
  }
  return count;
}

/** Runs the command at c on N images; false for an unknown kernel. */
function dispatch(c: usize, N: i32): bool {
  switch (ldi32(c)) {
    case 0: // no kernel: a layer that runs none (a concat whose inputs were written in place) ends here
      break;
    case 1:
      conv_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), p(c, 5), p(c, 6), p(c, 7), a(c, 8), a(c, 9), a(c, 10), a(c, 11), p(c, 12), a(c, 13) != 0, p(c, 14), a(c, 15));
      break;
    case 2:
      maxpool_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), a(c, 5), a(c, 6), p(c, 7));
      break;
    case 3:
      avgpool_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), a(c, 5), a(c, 6), p(c, 7));
      break;
    case 4:
      fc_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), p(c, 5), p(c, 6), p(c, 7), a(c, 8), a(c, 9), a(c, 10), a(c, 11), p(c, 12));
      break;
    case 5:
      relu_s8(p(c, 0), p(c, 1), N * a(c, 2));
      break;
    case 6:
      convg_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), p(c, 5), p(c, 6), p(c, 7), a(c, 8), a(c, 9), a(c, 10), a(c, 11), a(c, 12),
        a(c, 13), a(c, 14), a(c, 15), a(c, 16), a(c, 17), a(c, 18), a(c, 19), a(c, 20), a(c, 21), a(c, 22), a(c, 23), p(c, 24), p(c, 25));
      break;
    case 7:
      dwconv_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), p(c, 5), p(c, 6), p(c, 7), a(c, 8), a(c, 9), a(c, 10), a(c, 11), a(c, 12),
        a(c, 13), a(c, 14), a(c, 15), a(c, 16), a(c, 17), a(c, 18), a(c, 19), a(c, 20), a(c, 21), a(c, 22), p(c, 23), p(c, 24));
      break;
    case 8:
      conv1x1_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), p(c, 5), p(c, 6), p(c, 7), a(c, 8), a(c, 9), a(c, 10), a(c, 11), p(c, 12));
      break;
    case 9:
      add_s8(p(c, 0), p(c, 1), N, a(c, 3), a(c, 4), a(c, 5), a(c, 6), a(c, 7), f(c, 8), a(c, 9), f(c, 10), a(c, 11), a(c, 12), a(c, 13), a(c, 14), p(c, 15));
      break;
    case 10:
      sub_s8(p(c, 0), p(c, 1), N, a(c, 3), a(c, 4), a(c, 5), a(c, 6), a(c, 7), f(c, 8), a(c, 9), f(c, 10), a(c, 11), a(c, 12), a(c, 13), a(c, 14), p(c, 15));
      break;
    case 11:
      mul_s8(p(c, 0), p(c, 1), N, a(c, 3), a(c, 4), a(c, 5), a(c, 6), a(c, 7), f(c, 8), a(c, 9), a(c, 10), a(c, 11), a(c, 12), a(c, 13), p(c, 14));
      break;
    case 12:
      concat_channels_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), p(c, 5), a(c, 6), a(c, 7), f(c, 8), a(c, 9), a(c, 10));
      break;
    case 13:
      lut_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), p(c, 5), p(c, 6));
      break;
    case 14:
      scale_shift_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), p(c, 5), p(c, 6), a(c, 7), a(c, 8), a(c, 9), a(c, 10), p(c, 11));
      break;
    case 15:
      pool2d_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), a(c, 5), a(c, 6), a(c, 7), a(c, 8), a(c, 9), a(c, 10), a(c, 11), a(c, 12),
        a(c, 13) != 0, a(c, 14), a(c, 15) != 0, f(c, 16), a(c, 17), a(c, 18), p(c, 19));
      break;
    case 16:
      gap_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), f(c, 5), a(c, 6), a(c, 7), p(c, 8));
      break;
    case 17:
      prelu_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), f(c, 5), p(c, 6), a(c, 7), a(c, 8), p(c, 9));
      break;
    case 18:
      pad_constant_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), a(c, 5), a(c, 6), a(c, 7), a(c, 8), a(c, 9), p(c, 10));
      break;
    case 19:
      resize_nearest_nc32hw32_s8(p(c, 0), N, a(c, 2), a(c, 3), a(c, 4), a(c, 5), a(c, 6), p(c, 7));
      break;
    default:
      return false;
  }
  return true;
}
