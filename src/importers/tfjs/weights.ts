import { FormatError } from '../../errors.js';
import { decodeFloat16 } from '../../format/float16.js';

/** One entry of a TF.js weights manifest. */
export interface WeightEntry {
  name: string;
  shape: number[];
  dtype: string;
  quantization?: { dtype: string; min?: number; scale?: number; original_dtype?: string };
}

export interface WeightsGroup {
  paths: string[];
  weights: WeightEntry[];
}

export interface DecodedWeight {
  shape: number[];
  dtype: 'float32' | 'int32';
  data: Float32Array | Int32Array;
  /** uint8-quantized float weights: data = q * scale + min (kept so writers can store them exactly) */
  affine?: { scale: number; min: number };
}

const BYTES: Record<string, number> = { float32: 4, int32: 4, uint8: 1, uint16: 2, float16: 2, bool: 1 };

/**
 * Decodes the concatenated weight bytes of a TF.js model (all shards of all groups, in manifest
 * order): float32, int32, and quantized uint8 / uint16 (q * scale + min) and float16 (exact).
 */
export function decodeWeights(manifest: readonly WeightsGroup[], bytes: Uint8Array, source: string): Map<string, DecodedWeight> {
  const out = new Map<string, DecodedWeight>();
  let off = 0;
  for (const group of manifest) {
    for (const w of group.weights) {
      const n = w.shape.reduce((a, b) => a * b, 1);
      const q = w.quantization;
      const storage = q ? q.dtype : w.dtype;
      const size = BYTES[storage];
      if (size === undefined) throw new FormatError(`${source}: weight '${w.name}' has unsupported dtype '${storage}'; supported: ${Object.keys(BYTES).join(', ')}`);
      const len = n * size;
      if (off + len > bytes.length) {
        throw new FormatError(`${source}: weight '${w.name}' needs bytes [${off}, ${off + len}) but the weight files hold ${bytes.length} bytes; a shard is missing or truncated`);
      }
      const slice = bytes.slice(off, off + len);
      off += len;
      const target = (q?.original_dtype ?? w.dtype) === 'int32' ? 'int32' : 'float32';
      let data: Float32Array | Int32Array;
      if (!q) data = storage === 'int32' ? new Int32Array(slice.buffer) : storage === 'float32' ? new Float32Array(slice.buffer) : Float32Array.from(slice);
      else if (q.dtype === 'float16') data = decodeFloat16(new Uint16Array(slice.buffer));
      else {
        const src = q.dtype === 'uint8' ? slice : new Uint16Array(slice.buffer);
        const scale = q.scale ?? 1;
        const min = q.min ?? 0;
        data = target === 'int32' ? new Int32Array(n) : new Float32Array(n);
        for (let i = 0; i < n; i++) data[i] = src[i] * scale + min;
      }
      const affine = q?.dtype === 'uint8' && target === 'float32' ? { scale: q.scale ?? 1, min: q.min ?? 0 } : undefined;
      out.set(w.name, { shape: w.shape, dtype: target, data: target === 'int32' && data instanceof Float32Array ? Int32Array.from(data) : data, ...(affine ? { affine } : {}) });
    }
  }
  if (off !== bytes.length) throw new FormatError(`${source}: the manifest describes ${off} bytes of weights but the files hold ${bytes.length}`);
  return out;
}
