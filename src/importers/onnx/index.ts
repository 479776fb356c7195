export { importOnnx, loadOnnxModel, ONNX_OPS, type OnnxImportOptions } from './import.js';
export { exportOnnx, type OnnxExportOptions } from './export.js';
export { ONNX_PROTO, decodeModel, encodeModel, onnxType, type OnnxModelProto, type OnnxGraphProto, type OnnxNodeProto, type OnnxTensorProto } from './proto.js';
export { floatTensor, int64Tensor } from './tensor.js';
