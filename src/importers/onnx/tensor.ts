import { FormatError, UnsupportedOpError } from '../../errors.js';
import { float16ToFloat32 } from '../../format/float16.js';
import { DataType, toNum, type OnnxTensorProto } from './proto.js';

/**
 * A constant during import: an ONNX tensor (shape in the ONNX layout, row-major data). Float
 * tensors hold a Float32Array; integer and bool tensors a Float64Array (int64 values beyond 2^53
 * lose precision, which only matters for 'until the end' slice bounds, clamped anyway).
 */
export interface ConstTensor {
  shape: number[];
  data: Float32Array | Float64Array;
  /** true for integer / bool element types */
  int: boolean;
}

const DTYPE_NAMES: Record<number, string> = {
  0: 'UNDEFINED', 1: 'FLOAT', 2: 'UINT8', 3: 'INT8', 4: 'UINT16', 5: 'INT16', 6: 'INT32', 7: 'INT64', 8: 'STRING', 9: 'BOOL',
  10: 'FLOAT16', 11: 'DOUBLE', 12: 'UINT32', 13: 'UINT64', 14: 'COMPLEX64', 15: 'COMPLEX128', 16: 'BFLOAT16',
};
export const dtypeName = (t: number | undefined): string => DTYPE_NAMES[t ?? 0] ?? `data type ${t}`;

/** Element size in raw_data, per data type. */
const RAW_SIZE: Record<number, number> = { 1: 4, 2: 1, 3: 1, 4: 2, 5: 2, 6: 4, 7: 8, 9: 1, 10: 2, 11: 8, 12: 4, 13: 8, 16: 2 };

/** Decodes a TensorProto (raw_data little-endian, or the typed *_data fields). */
export function decodeTensor(t: OnnxTensorProto, what: string, source: string): ConstTensor {
  const shape = (t.dims ?? []).map(toNum);
  if (shape.some((d) => !Number.isInteger(d) || d < 0)) throw new FormatError(`${source}: ${what} has invalid dims [${shape.join(',')}]`);
  const n = shape.reduce((a, b) => a * b, 1);
  const type = t.data_type ?? 0;
  if (t.data_location === 1 || (t.external_data?.length ?? 0) > 0) {
    throw new UnsupportedOpError(`${source}: ${what} stores its data in an external file (ONNX external data); save the model with its weights inside the .onnx file`);
  }
  const size = RAW_SIZE[type];
  if (size === undefined) throw new UnsupportedOpError(`${source}: ${what} has element type ${dtypeName(type)} (supported: FLOAT, FLOAT16, BFLOAT16, DOUBLE and integer / bool types)`);
  const int = !(type === DataType.FLOAT || type === DataType.FLOAT16 || type === DataType.DOUBLE || type === DataType.BFLOAT16);
  const out = int ? new Float64Array(n) : new Float32Array(n);
  const raw = t.raw_data;
  if (raw && raw.length > 0) {
    if (raw.length !== n * size) {
      throw new FormatError(`${source}: ${what} has shape [${shape.join(',')}] (${n} ${dtypeName(type)} values = ${n * size} bytes) but raw_data holds ${raw.length} bytes`);
    }
    const dv = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    for (let i = 0; i < n; i++) out[i] = readRaw(dv, type, i);
    return { shape, data: out, int };
  }
  const fields: Record<number, ArrayLike<number | { toString(): string }> | undefined> = {
    1: t.float_data, 11: t.double_data, 7: t.int64_data, 12: t.uint64_data, 13: t.uint64_data,
  };
  const src = fields[type] ?? t.int32_data;
  const len = src?.length ?? 0;
  if (len !== n) {
    throw new FormatError(`${source}: ${what} has shape [${shape.join(',')}] (${n} values) but its data holds ${len} ${dtypeName(type)} values`);
  }
  for (let i = 0; i < n; i++) {
    const v = toNum(src![i] as number);
    // float16 / bfloat16 in int32_data hold the bit patterns
    out[i] = type === DataType.FLOAT16 ? float16ToFloat32(v) : type === DataType.BFLOAT16 ? bf16(v) : v;
  }
  return { shape, data: out, int };
}

const f32buf = new DataView(new ArrayBuffer(4));
const bf16 = (bits: number): number => {
  f32buf.setUint32(0, (bits & 0xffff) << 16);
  return f32buf.getFloat32(0);
};

function readRaw(dv: DataView, type: number, i: number): number {
  switch (type) {
    case DataType.FLOAT: return dv.getFloat32(4 * i, true);
    case DataType.UINT8: case DataType.BOOL: return dv.getUint8(i);
    case DataType.INT8: return dv.getInt8(i);
    case DataType.UINT16: return dv.getUint16(2 * i, true);
    case DataType.INT16: return dv.getInt16(2 * i, true);
    case DataType.INT32: return dv.getInt32(4 * i, true);
    case DataType.INT64: return Number(dv.getBigInt64(8 * i, true));
    case DataType.FLOAT16: return float16ToFloat32(dv.getUint16(2 * i, true));
    case DataType.DOUBLE: return dv.getFloat64(8 * i, true);
    case DataType.UINT32: return dv.getUint32(4 * i, true);
    case DataType.UINT64: return Number(dv.getBigUint64(8 * i, true));
    case DataType.BFLOAT16: return bf16(dv.getUint16(2 * i, true));
    default: return NaN;
  }
}

/** A FLOAT TensorProto with raw_data (for the exporter and tests). */
export function floatTensor(name: string, dims: readonly number[], data: ArrayLike<number>): OnnxTensorProto {
  const f = Float32Array.from(data);
  return { name, dims: [...dims], data_type: DataType.FLOAT, raw_data: new Uint8Array(f.buffer, f.byteOffset, f.byteLength) };
}

/** An INT64 TensorProto with raw_data. */
export function int64Tensor(name: string, dims: readonly number[], data: ArrayLike<number>): OnnxTensorProto {
  const a = new BigInt64Array(data.length);
  for (let i = 0; i < data.length; i++) a[i] = BigInt(data[i]);
  return { name, dims: [...dims], data_type: DataType.INT64, raw_data: new Uint8Array(a.buffer) };
}

/** Transposes row-major data of `shape` by `perm` (out axis i = in axis perm[i]). */
export function transposeData<T extends Float32Array | Float64Array>(data: T, shape: readonly number[], perm: readonly number[]): T {
  const r = shape.length;
  const outShape = perm.map((p) => shape[p]);
  const inStrides = new Array<number>(r).fill(1);
  for (let i = r - 2; i >= 0; i--) inStrides[i] = inStrides[i + 1] * shape[i + 1];
  const strides = perm.map((p) => inStrides[p]);
  const out = new (data.constructor as new (n: number) => T)(data.length);
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < data.length; o++) {
    let src = 0;
    for (let i = 0; i < r; i++) src += idx[i] * strides[i];
    out[o] = data[src];
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < outShape[i]) break;
      idx[i] = 0;
    }
  }
  return out;
}
