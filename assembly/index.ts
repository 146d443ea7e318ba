// The wasm module's exports: every kernel, by its tuple name
// (op-layout-dtype). The host binds them in src/runtime/kernels.ts.
export { setArena, heapBase, isDebugBuild } from "./mem";
export { kernelAbi } from "./abi";
export { isRelaxedBuild, relaxed_dot_probe, peak_r8 } from "./isa";
export { gemm_nn_f32, gemm_nt_f32 } from "./fp32/gemm-f32";
export { im2col_f32, col2im_f32 } from "./fp32/im2col-f32";
export { conv_nchw_f32, relu_f32 } from "./fp32/conv-nchw-f32";
export { maxpool_nchw_f32, avgpool_nchw_f32 } from "./fp32/pool-nchw-f32";
export { fc_f32 } from "./fp32/fc-f32";
export { softmax_f32 } from "./fp32/softmax-f32";
export {
  maxpool_backward_f32, relu_backward_f32, bias_grad_f32, softmax_xent_f32, sgd_momentum_f32,
} from "./train/backward-f32";
export { conv_nchw4_s8 } from "./int8/conv-nchw4-s8";
export { conv_nc32hw32_s8 } from "./int8/conv-nc32hw32-s8";
export { fc_nchw4_s8 } from "./int8/fc-nchw4-s8";
export { fc_nc32hw32_s8 } from "./int8/fc-nc32hw32-s8";
export { maxpool_nchw4_s8, avgpool_nchw4_s8 } from "./int8/pool-nchw4-s8";
export { maxpool_nc32hw32_s8, avgpool_nc32hw32_s8 } from "./int8/pool-nc32hw32-s8";
export { reformat_nchw_f32_to_nchw4_s8, reformat_nchw_f32_to_nc32hw32_s8 } from "./int8/reformat-quantize-s8";
export { reformat_nchw4_s8_to_nchw_f32, reformat_nc32hw32_s8_to_nchw_f32 } from "./int8/reformat-dequantize-s8";
export { reformat_nchw4_s8_to_nc32hw32_s8, reformat_nc32hw32_s8_to_nchw4_s8 } from "./int8/reformat-blocked-s8";
export { peak_s16, peak_s16s8 } from "./int8/gen/peak-s8";
export { relu_s8 } from "./int8/relu-s8";
export { dla_execute } from "./engine/dla-engine";
// conv family (issue 15)
export { convg_nchw4_s8, convg_nc32hw32_s8 } from "./int8/convg-s8";
export { dwconv_nchw4_s8, dwconv_nc32hw32_s8 } from "./int8/dwconv-s8";
export { conv1x1_nchw4_s8, conv1x1_nc32hw32_s8 } from "./int8/conv1x1-s8";
export { convg_nchw_f32 } from "./fp32/convg-nchw-f32";
// elementwise, concat, activations, pooling (issue 15)
export { add_s8, sub_s8, mul_s8 } from "./int8/eltwise-s8";
export { concat_channels_nchw4_s8, concat_channels_nc32hw32_s8 } from "./int8/concat-s8";
export { lut_nchw4_s8, lut_nc32hw32_s8 } from "./int8/lut-s8";
export { softmax_nchw4_s8, softmax_nc32hw32_s8 } from "./int8/softmax-s8";
export { prelu_nchw4_s8, prelu_nc32hw32_s8, scale_shift_nchw4_s8, scale_shift_nc32hw32_s8 } from "./int8/channel-affine-s8";
export { pool2d_nchw4_s8 } from "./int8/pool2d-nchw4-s8";
export { pool2d_nc32hw32_s8 } from "./int8/pool2d-nc32hw32-s8";
export { gap_nchw4_s8, gap_nc32hw32_s8 } from "./int8/gap-s8";
export { pad_constant_nchw4_s8, pad_constant_nc32hw32_s8, resize_nearest_nchw4_s8, resize_nearest_nc32hw32_s8 } from "./int8/pad-resize-s8";
export { add_nchw_f32, sub_nchw_f32, mul_nchw_f32 } from "./fp32/eltwise-nchw-f32";
export {
  sigmoid_f32, tanh_f32, hardsigmoid_f32, hardswish_f32, leakyrelu_f32, clip_f32, prelu_nchw_f32, scale_shift_nchw_f32,
} from "./fp32/activation-f32";
export { pool2d_nchw_f32, gap_nchw_f32 } from "./fp32/pool2d-nchw-f32";
export { concat_channels_nchw_f32, pad_constant_nchw_f32, resize_nearest_nchw_f32 } from "./fp32/shape-ops-f32";
