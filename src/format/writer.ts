/** Writes a Graph to the .sepconv format (docs/format.md). */
import { FormatError, ShapeError } from '../errors.js';
import type { Graph } from '../graph/ir.js';
import { crc32 } from './crc32.js';
import { encodeFloat16, encodeFloat16ErrorFeedback } from './float16.js';
import { validateNode } from './schema.js';
import {
  alignUp,
  DTYPES,
  FIXED_HEADER_BYTES,
  FORMAT_MAJOR,
  FORMAT_MINOR,
  HOST_LITTLE_ENDIAN,
  MAGIC,
  MAX_TENSOR_ELEMENTS,
  type Dtype,
  type Header,
  type AffineParams,
  type QuantParams,
  type TensorEntry,
} from './spec.js';

export interface WriteOptions {
  /**
   * Storage dtype of weights (constants of rank >= 2). Rank 0/1 constants (biases, BatchNorm
   * parameters) stay float32 unless `perTensor` says otherwise. Default float32.
   */
  dtype?: Dtype;
  /** Per-constant override; return undefined to use the default. */
  perTensor?: (name: string) => Dtype | undefined;
  /**
   * uint8 tensors: the affine parameters to use (e.g. the source model's, see Constant.affine);
   * default: the constant's own `affine`, else min = min x, scale = (max x - min x) / 255.
   */
  affine?: (name: string) => AffineParams | undefined;
  /**
   * float16 weights (rank >= 2): 'error-feedback' (default) keeps each output channel's weight sum
   * accurate (see encodeFloat16ErrorFeedback); 'nearest' rounds every value independently.
   */
  float16Rounding?: 'error-feedback' | 'nearest';
  /** Called after each constant is encoded: values done so far and in total. */
  onProgress?: (done: number, total: number) => void;
}

/**
 * Per-channel asymmetric int8 quantization along `axis`: per channel the range [lo, hi] is
 * [min(0, min x), max(0, max x)], scale = float32((hi - lo) / 255), zeroPoint = round(-128 - lo / scale)
 * clamped to int8, q = clamp(round(x / scale) + zeroPoint, -128, 127). Zero is exact; every value is
 * within scale / 2 (plus float32 rounding) of its dequantized (q - zeroPoint) * scale.
 */
export function quantizeInt8PerChannel(
  data: Float32Array,
  shape: readonly number[],
  axis: number,
): { q: Int8Array; quant: QuantParams } {
  const channels = shape[axis]!;
  let inner = 1;
  for (let d = axis + 1; d < shape.length; d++) inner *= shape[d]!;
  const lo = new Float64Array(channels);
  const hi = new Float64Array(channels);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    const x = data[i]!;
    if (x < lo[c]!) lo[c] = x;
    if (x > hi[c]!) hi[c] = x;
  }
  const scales: number[] = [];
  const zeroPoints: number[] = [];
  for (let c = 0; c < channels; c++) {
    let scale = Math.fround((hi[c]! - lo[c]!) / 255);
    let zp = 0;
    if (!(scale > 0) || !Number.isFinite(scale)) scale = 1;
    else zp = Math.min(127, Math.max(-128, Math.round(-128 - lo[c]! / scale))) + 0; // + 0: no -0
    scales.push(scale);
    zeroPoints.push(zp);
  }
  const q = new Int8Array(data.length);
  for (let i = 0; i < data.length; i++) {
    const c = Math.floor(i / inner) % channels;
    q[i] = Math.min(127, Math.max(-128, Math.round(data[i]! / scales[c]!) + zeroPoints[c]!));
  }
  return { q, quant: { axis, scales, zeroPoints } };
}

/**
 * A constant as float16 bit patterns, the way the writer stores it: error feedback along each
 * output channel's reduction (the taps of a depthwise channel [kh][kw][c], the rest of the row for
 * [cout][...] weights); plain rounding for vectors or with rounding 'nearest'.
 */
export function encodeWeightFloat16(c: { shape: readonly number[]; data: Float32Array }, depthwise: boolean, rounding: WriteOptions['float16Rounding'] = 'error-feedback'): Uint16Array {
  if (c.shape.length < 2 || rounding === 'nearest') return encodeFloat16(c.data);
  if (depthwise) {
    const C = c.shape[c.shape.length - 1]!;
    return encodeFloat16ErrorFeedback(c.data, C, c.data.length / C, 1, C);
  }
  const len = c.data.length / c.shape[0]!;
  return encodeFloat16ErrorFeedback(c.data, c.shape[0]!, len, len, 1);
}

/** min = min x, scale = (max x - min x) / 255 (1 for a constant tensor). */
function affineRange(data: Float32Array): AffineParams {
  let lo = Infinity;
  let hi = -Infinity;
  for (const v of data) {
    lo = Math.min(lo, v);
    hi = Math.max(hi, v);
  }
  if (!(hi > lo)) return { scale: 1, min: Number.isFinite(lo) ? lo : 0 };
  return { scale: (hi - lo) / 255, min: lo };
}

/** q = clamp(round((x - min) / scale), 0, 255). */
export function quantizeUint8(data: Float32Array, a: AffineParams): Uint8Array {
  const q = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) q[i] = Math.min(255, Math.max(0, Math.round((data[i]! - a.min) / a.scale)));
  return q;
}

/** Whether uint8 storage with `a` gives back exactly `data` (values imported from a TF.js uint8 model do). */
export function isExactUint8(data: Float32Array, a: AffineParams): boolean {
  const q = quantizeUint8(data, a);
  const f = new Float32Array(1);
  for (let i = 0; i < data.length; i++) {
    f[0] = q[i]! * a.scale + a.min;
    if (f[0] !== data[i]) return false;
  }
  return true;
}

function float32Bytes(data: Float32Array): Uint8Array {
  if (HOST_LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * 4);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) dv.setFloat32(i * 4, data[i]!, true);
  return out;
}

function uint16Bytes(data: Uint16Array): Uint8Array {
  if (HOST_LITTLE_ENDIAN) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint8Array(data.length * 2);
  const dv = new DataView(out.buffer);
  for (let i = 0; i < data.length; i++) dv.setUint16(i * 2, data[i]!, true);
  return out;
}

/** Serializes `graph` (validated with the op schema first) into a .sepconv file. */
export function writeSepconv(graph: Graph, options: WriteOptions = {}): Uint8Array {
  const where = `writeSepconv('${graph.name}')`;
  const defaultDtype = options.dtype ?? 'float32';
  if (!DTYPES.includes(defaultDtype)) {
    throw new FormatError(`${where}: unknown dtype option '${String(defaultDtype)}'; use one of ${DTYPES.join(', ')}.`);
  }
  // the same reference rules the reader applies, so a written file always reads back
  const defined = new Set<string>([...graph.constants.keys()]);
  for (const input of graph.inputs) {
    if (defined.has(input.name)) throw new FormatError(`${where}: graph input '${input.name}' has the name of another input or a constant.`);
    defined.add(input.name);
  }
  const nodeNames = new Set<string>();
  for (const node of graph.nodes) {
    validateNode(node, where);
    if (nodeNames.has(node.name)) throw new FormatError(`${where}: two nodes are named '${node.name}'; node names must be unique.`);
    nodeNames.add(node.name);
    for (const [k, input] of node.inputs.entries()) {
      if (input === '' && k === 2 && node.op === 'Conv2D') continue; // no bias (fused residual form)
      if (!defined.has(input)) {
        throw new FormatError(
          `${where}: node '${node.name}' reads '${input}', which is not a graph input, a constant or an output of an earlier node.`,
        );
      }
    }
    for (const out of node.outputs) {
      if (defined.has(out)) throw new FormatError(`${where}: node '${node.name}' output '${out}' is already defined.`);
      defined.add(out);
    }
  }
  for (const out of graph.outputs) {
    if (!defined.has(out)) throw new FormatError(`${where}: graph output '${out}' is not produced by any node, nor an input or a constant.`);
  }
  if (graph.inputs.length === 0 || graph.outputs.length === 0) {
    throw new FormatError(`${where}: a graph needs at least one input and one output.`);
  }

  // Depthwise weights [kh][kw][c] are quantized along their last axis, everything else along axis 0.
  const depthwiseWeights = new Set(graph.nodes.filter((n) => n.op === 'DepthwiseConv2D').map((n) => n.inputs[1]));

  const entries: TensorEntry[] = [];
  const blobs: Uint8Array[] = [];
  let values = 0;
  for (const c of graph.constants.values()) values += c.data?.length ?? 0;
  let done = 0;
  for (const [key, c] of graph.constants) {
    const at = `${where}: constant '${c.name}'`;
    if (key !== c.name) throw new FormatError(`${at} is stored under the key '${key}'; the map key must be the name.`);
    let count = 1;
    for (const d of c.shape) {
      if (!Number.isInteger(d) || d < 1) throw new ShapeError(`${at}: shape [${c.shape.join(', ')}] has a dimension that is not a positive integer.`);
      count *= d;
    }
    if (count > MAX_TENSOR_ELEMENTS) throw new ShapeError(`${at}: ${count} elements exceed the format limit of ${MAX_TENSOR_ELEMENTS}.`);
    if (c.data.length !== count) {
      throw new ShapeError(`${at}: has ${c.data.length} values but shape [${c.shape.join(', ')}] needs ${count}.`);
    }
    const dtype: Dtype = options.perTensor?.(c.name) ?? (c.shape.length >= 2 ? defaultDtype : 'float32');
    if (!DTYPES.includes(dtype)) throw new FormatError(`${at}: unknown dtype '${String(dtype)}'; use one of ${DTYPES.join(', ')}.`);

    let blob: Uint8Array;
    let quant: QuantParams | undefined;
    let affine: AffineParams | undefined;
    if (dtype === 'float32') blob = float32Bytes(c.data);
    else if (dtype === 'float16') blob = uint16Bytes(encodeWeightFloat16(c, depthwiseWeights.has(c.name), options.float16Rounding));
    else if (dtype === 'uint8') {
      const bad = c.data.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new FormatError(`${at}: value ${c.data[bad]} at index ${bad} cannot be quantized to uint8; store it as float32.`);
      affine = options.affine?.(c.name) ?? c.affine ?? affineRange(c.data);
      if (!(Number.isFinite(affine.scale) && affine.scale > 0 && Number.isFinite(affine.min))) {
        throw new FormatError(`${at}: uint8 parameters scale ${affine.scale} / min ${affine.min} must be finite with scale > 0.`);
      }
      blob = quantizeUint8(c.data, affine);
    } else {
      if (c.shape.length === 0) throw new FormatError(`${at}: a scalar cannot be stored as per-channel int8; store it as float32.`);
      const bad = c.data.findIndex((x) => !Number.isFinite(x));
      if (bad >= 0) throw new FormatError(`${at}: value ${c.data[bad]} at index ${bad} cannot be quantized to int8; store it as float32.`);
      const axis = depthwiseWeights.has(c.name) ? c.shape.length - 1 : 0;
      const r = quantizeInt8PerChannel(c.data, c.shape, axis);
      blob = new Uint8Array(r.q.buffer);
      quant = r.quant;
    }
    const entry: TensorEntry = { name: c.name, shape: [...c.shape], dtype, offset: 0, length: blob.length, crc32: crc32(blob) };
    if (quant) entry.quant = quant;
    if (affine) entry.affine = { scale: affine.scale, min: affine.min };
    entries.push(entry);
    blobs.push(blob);
    done += c.data.length;
    options.onProgress?.(done, values);
  }

  const header: Header = {
    name: graph.name,
    ...(graph.layout ? { layout: graph.layout } : {}),
    inputs: graph.inputs.map((i) => ({ name: i.name, shape: [...i.shape] })),
    outputs: [...graph.outputs],
    nodes: graph.nodes.map((n) => ({
      name: n.name,
      op: n.op,
      inputs: [...n.inputs],
      outputs: [...n.outputs],
      attrs: n.attrs as unknown as Record<string, unknown>,
    })),
    tensors: entries,
  };

  // The offsets are in the header, whose length moves the first offset: grow until it fits.
  const enc = new TextEncoder();
  const layout = (dataStart: number): number => {
    let off = dataStart;
    entries.forEach((e, i) => {
      e.offset = off;
      off = alignUp(off + blobs[i]!.length);
    });
    return off;
  };
  let dataStart = alignUp(FIXED_HEADER_BYTES + enc.encode(JSON.stringify(header)).length);
  let json: Uint8Array;
  for (;;) {
    layout(dataStart);
    json = enc.encode(JSON.stringify(header));
    const need = alignUp(FIXED_HEADER_BYTES + json.length);
    if (need <= dataStart) break;
    dataStart = need;
  }
  const last = entries.length ? entries[entries.length - 1]! : undefined;
  const total = last ? last.offset + last.length : FIXED_HEADER_BYTES + json.length;

  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  out.set(MAGIC, 0);
  dv.setUint16(8, FORMAT_MAJOR, true);
  dv.setUint16(10, FORMAT_MINOR, true);
  dv.setUint32(12, json.length, true);
  out.set(json, FIXED_HEADER_BYTES);
  entries.forEach((e, i) => out.set(blobs[i]!, e.offset));
  return out;
}
