// The wasm module's exports: every kernel, by its tuple name
// (op-layout-dtype). The host binds them in src/runtime/kernels.ts.
export { setArena, heapBase, isDebugBuild } from "./mem";
export { gemm_nn_f32, gemm_nt_f32 } from "./fp32/gemm-f32";
export { im2col_f32, col2im_f32 } from "./fp32/im2col-f32";
export { conv_nchw_f32, relu_f32 } from "./fp32/conv-nchw-f32";
export { maxpool_nchw_f32, avgpool_nchw_f32 } from "./fp32/pool-nchw-f32";
export { fc_f32 } from "./fp32/fc-f32";
export { softmax_f32 } from "./fp32/softmax-f32";
export {
  maxpool_backward_f32, relu_backward_f32, bias_grad_f32, softmax_xent_f32, sgd_momentum_f32,
} from "./train/backward-f32";
