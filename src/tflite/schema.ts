// The parts of TFLite's flatbuffer schema (tensorflow/lite/schema/schema.fbs)
// the exporter writes: table field slots in declaration order (a union takes
// two: its type, then its value), and the enum values it uses.
export const FILE_IDENTIFIER = "TFL3";
export const SCHEMA_VERSION = 3;

export const TensorType = { FLOAT32: 0, INT32: 2, INT8: 9 } as const;

export const BuiltinOperator = {
  AVERAGE_POOL_2D: 1, CONV_2D: 3, DEQUANTIZE: 6, FULLY_CONNECTED: 9, MAX_POOL_2D: 17, RELU: 19, SOFTMAX: 25, PAD: 34, QUANTIZE: 114,
} as const;

/** BuiltinOptions union members (0 is NONE). */
export const BuiltinOptions = { Conv2DOptions: 1, Pool2DOptions: 5, FullyConnectedOptions: 8, SoftmaxOptions: 9 } as const;

export const Padding = { SAME: 0, VALID: 1 } as const;
export const Activation = { NONE: 0, RELU: 1 } as const;

export const Slots = {
  Model: { version: 0, operatorCodes: 1, subgraphs: 2, description: 3, buffers: 4, count: 8 },
  OperatorCode: { deprecatedBuiltinCode: 0, customCode: 1, version: 2, builtinCode: 3, count: 4 },
  SubGraph: { tensors: 0, inputs: 1, outputs: 2, operators: 3, name: 4, count: 5 },
  Tensor: { shape: 0, type: 1, buffer: 2, name: 3, quantization: 4, count: 10 },
  QuantizationParameters: { scale: 2, zeroPoint: 3, quantizedDimension: 6, count: 7 },
  Operator: { opcodeIndex: 0, inputs: 1, outputs: 2, builtinOptionsType: 3, builtinOptions: 4, count: 5 },
  Buffer: { data: 0, count: 3 },
  Conv2DOptions: { padding: 0, strideW: 1, strideH: 2, activation: 3, dilationW: 4, dilationH: 5, count: 6 },
  Pool2DOptions: { padding: 0, strideW: 1, strideH: 2, filterWidth: 3, filterHeight: 4, activation: 5, count: 6 },
  FullyConnectedOptions: { activation: 0, count: 4 },
  SoftmaxOptions: { beta: 0, count: 1 },
} as const;
