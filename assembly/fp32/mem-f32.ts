// Bounds-checked access helpers that assembly/mem.ts does not provide, built
// on its `check` (so the debug build checks every access here too).
// Binaryen folds `p + constant` into the offset of v128.load/store but not of
// v128.load32_splat, so the splat loads come with fixed immediate offsets.
import { check } from "../mem";

/** ldsp(p): the f32 at p in all four lanes; ldspN(p): the f32 at p + 4*N. */
@inline export function ldsp(p: usize): v128 {
  check(p, 4);
  return v128.load32_splat(p);
}

@inline export function ldsp1(p: usize): v128 {
  check(p + 4, 4);
  return v128.load32_splat(p, 4);
}

@inline export function ldsp2(p: usize): v128 {
  check(p + 8, 4);
  return v128.load32_splat(p, 8);
}

@inline export function ldsp3(p: usize): v128 {
  check(p + 12, 4);
  return v128.load32_splat(p, 12);
}
