/** Constants and header types of the .sepconv file format (docs/format.md). */

/** "SEPCONV\0" */
export const MAGIC = new Uint8Array([0x53, 0x45, 0x50, 0x43, 0x4f, 0x4e, 0x56, 0x00]);
/** The version this code writes. A reader accepts any minor of its major and rejects other majors. */
export const FORMAT_MAJOR = 1;
export const FORMAT_MINOR = 1;
/** magic (8) + major u16 + minor u16 + header length u32 */
export const FIXED_HEADER_BYTES = 16;
/** Every tensor blob starts at a file offset that is a multiple of this. */
export const BLOB_ALIGN = 64;
/** Largest JSON header a reader accepts (64 MiB). */
export const MAX_HEADER_BYTES = 64 * 1024 * 1024;
/** Largest element count of one tensor (2^28 = 1 GiB as float32), a guard against absurd dims. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;
/** Largest rank of a tensor or graph input shape. */
export const MAX_RANK = 8;

export type Dtype = 'float32' | 'float16' | 'int8' | 'uint8';
export const DTYPE_SIZE: Record<Dtype, number> = { float32: 4, float16: 2, int8: 1, uint8: 1 };
export const DTYPES = Object.keys(DTYPE_SIZE) as Dtype[];

/** int8 per-channel quantization: real = (q - zeroPoints[c]) * scales[c], c = index along `axis`. */
export interface QuantParams {
  axis: number;
  scales: number[];
  zeroPoints: number[];
}

/** uint8 affine quantization (TF.js's scheme, since 1.1): real = float32(q * scale + min). */
export interface AffineParams {
  scale: number;
  min: number;
}

export interface TensorEntry {
  name: string;
  shape: number[];
  dtype: Dtype;
  /** absolute byte offset of the blob in the file */
  offset: number;
  /** blob length in bytes = element count * dtype size */
  length: number;
  /** CRC-32/IEEE of the blob's `length` bytes */
  crc32: number;
  /** present exactly when dtype is int8 */
  quant?: QuantParams;
  /** present exactly when dtype is uint8 */
  affine?: AffineParams;
}

export interface HeaderNode {
  name: string;
  op: string;
  inputs: string[];
  outputs: string[];
  attrs: Record<string, unknown>;
}

export interface Header {
  name: string;
  /** 'NCHW' (since 1.1): the source model's I/O layout (ONNX); sessions feed and return NCHW by default */
  layout?: 'NCHW';
  inputs: { name: string; shape: number[] }[];
  outputs: string[];
  nodes: HeaderNode[];
  tensors: TensorEntry[];
}

export const alignUp = (n: number, a: number = BLOB_ALIGN): number => Math.ceil(n / a) * a;

/** True on little-endian hosts (all practical ones); typed arrays can then view file bytes directly. */
export const HOST_LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
