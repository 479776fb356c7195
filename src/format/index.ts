/** The .sepconv model file format (docs/format.md). */
export { readSepconv } from './reader.js';
export { writeSepconv, quantizeInt8PerChannel, quantizeUint8, isExactUint8, encodeWeightFloat16 } from './writer.js';
export type { WriteOptions } from './writer.js';
export { validateNode, OP_SCHEMA, SUPPORTED_OPS, LIMITS, isOpType } from './schema.js';
export type { NodeLike } from './schema.js';
export { crc32 } from './crc32.js';
export { float32ToFloat16, float16ToFloat32, encodeFloat16, decodeFloat16 } from './float16.js';
export {
  MAGIC,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  FIXED_HEADER_BYTES,
  BLOB_ALIGN,
  MAX_HEADER_BYTES,
  MAX_TENSOR_ELEMENTS,
  MAX_RANK,
  DTYPES,
  DTYPE_SIZE,
} from './spec.js';
export type { AffineParams, Dtype, Header, HeaderNode, TensorEntry, QuantParams } from './spec.js';
