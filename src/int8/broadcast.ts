// How the second operand of an elementwise op maps onto the first [N, C, H, W]:
// the same shape, one value per (n, c) ([N, C, 1, 1], squeeze-excite), one per
// channel shared by the batch ([1, C, 1, 1]), or one value ([1, 1, 1, 1]).
// The codes are the kernels' `broadcast` argument.
export type Broadcast = "same" | "image-channel" | "channel" | "scalar";

export const BROADCAST_CODE: Record<Broadcast, number> = { same: 0, "image-channel": 1, channel: 2, scalar: 3 };

/** [N, C, H, W] of the second operand. */
export function broadcastShape(b: Broadcast, N: number, C: number, H: number, W: number): [number, number, number, number] {
  switch (b) {
    case "same": return [N, C, H, W];
    case "image-channel": return [N, C, 1, 1];
    case "channel": return [1, C, 1, 1];
    case "scalar": return [1, 1, 1, 1];
  }
}
