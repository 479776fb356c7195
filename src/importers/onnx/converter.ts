import { FormatError, UnsupportedOpError } from '../../errors.js';
import type { Pads } from '../../graph/ir.js';
import type { GraphBuilder } from '../../zoo/builder.js';
import { toNum, type OnnxAttributeProto, type OnnxNodeProto } from './proto.js';
import { decodeTensor, transposeData, type ConstTensor } from './tensor.js';

/**
 * What an ONNX tensor is during import (shapes are ONNX shapes, NCHW):
 * - `{ c }`: a constant, folded at import (initializers, Constant nodes, shape arithmetic);
 * - `{ t, shape }`: IR tensor `t`; a 4-D ONNX [N,C,H,W] tensor is the IR tensor [N,H,W,C], other
 *   ranks (1, 2) are the same in both. `flat` marks an ONNX Flatten / Reshape of [N,C,H,W] (H*W > 1)
 *   to [N,C*H*W]: the IR tensor holds the values in NHWC order, which only a following Gemm /
 *   MatMul with constant weights can use (its weight rows are permuted to match).
 * - `{ shuffle }`: the 5-D view [N,g,C/g,H,W] of IR tensor `t` (transposed: [N,C/g,g,H,W]) on the
 *   way through the Reshape / Transpose / Reshape channel-shuffle pattern.
 */
export type Value =
  | { c: ConstTensor }
  | { t: string; shape: number[]; flat?: [c: number, h: number, w: number] }
  | { shuffle: { t: string; g: number; transposed: boolean }; shape: number[] };
export type TensorValue = Extract<Value, { t: string }>;

export const sizeOf = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
export const fmt = (s: readonly number[]): string => `[${s.join(',')}]`;
const NCHW_TO_NHWC = [0, 2, 3, 1];

export class OnnxConverter {
  private readonly constTensors = new Map<ConstTensor, string>();

  constructor(
    readonly b: GraphBuilder,
    readonly vals: Map<string, Value>,
    readonly source: string,
    readonly opset: number,
    readonly supported: readonly string[],
  ) {}

  label(n: OnnxNodeProto): string {
    return n.name || n.output?.[0] || '(unnamed)';
  }

  unsupported(n: OnnxNodeProto, what: string): never {
    throw new UnsupportedOpError(`${this.source}: node '${this.label(n)}' (${n.op_type}): ${what}; supported ONNX ops: ${this.supported.join(', ')}`);
  }

  formatError(n: OnnxNodeProto, what: string): never {
    throw new FormatError(`${this.source}: node '${this.label(n)}' (${n.op_type}): ${what}`);
  }

  // ------------------------------------------------------------------------------------- attributes

  attr(n: OnnxNodeProto, key: string): OnnxAttributeProto | undefined {
    const a = n.attribute?.find((x) => x.name === key);
    if (a?.ref_attr_name) this.unsupported(n, `attribute '${key}' refers to a function attribute`);
    return a;
  }

  int(n: OnnxNodeProto, key: string, fallback: number): number {
    const a = this.attr(n, key);
    return a ? toNum(a.i) : fallback;
  }

  ints(n: OnnxNodeProto, key: string, fallback: number[]): number[] {
    const a = this.attr(n, key);
    return a ? (a.ints ?? []).map(toNum) : fallback;
  }

  float(n: OnnxNodeProto, key: string, fallback: number): number {
    const a = this.attr(n, key);
    return a ? (a.f ?? 0) : fallback;
  }

  str(n: OnnxNodeProto, key: string, fallback: string): string {
    const a = this.attr(n, key);
    return a?.s ? new TextDecoder().decode(a.s) : fallback;
  }

  // ----------------------------------------------------------------------------------------- inputs

  /** Whether optional input i is given (absent or '' = not given). */
  has(n: OnnxNodeProto, i: number): boolean {
    return !!n.input?.[i];
  }

  value(n: OnnxNodeProto, i: number): Value {
    const name = n.input?.[i];
    const v = name ? this.vals.get(name) : undefined;
    if (!v) this.formatError(n, name ? `input ${i} ('${name}') is not defined` : `input ${i} is missing`);
    return v;
  }

  /** A constant input (weights, shapes, axes...). */
  constIn(n: OnnxNodeProto, i: number, what: string): ConstTensor {
    const v = this.value(n, i);
    if (!('c' in v)) this.unsupported(n, `${what} (input ${i} '${n.input![i]}') must be a constant (initializer or Constant)`);
    return v.c;
  }

  intsIn(n: OnnxNodeProto, i: number, what: string): number[] {
    return Array.from(this.constIn(n, i, what).data);
  }

  shapeOf(v: Value): number[] {
    return 'c' in v ? [...v.c.shape] : [...v.shape];
  }

  /**
   * Input i as an IR tensor with the layout rule above; constants become IR constants (4-D
   * transposed to NHWC). Flattened NHWC values are refused unless `allowFlat`.
   */
  tensor(n: OnnxNodeProto, i: number, allowFlat = false): TensorValue {
    const v = this.value(n, i);
    return this.asTensor(n, v, n.input![i], allowFlat);
  }

  asTensor(n: OnnxNodeProto, v: Value, name: string, allowFlat = false): TensorValue {
    if ('shuffle' in v) this.unsupported(n, `input '${name}' is a rank-${v.shape.length} tensor ${fmt(v.shape)} (sepconv reads 5-D tensors only in the Reshape / Transpose / Reshape channel shuffle pattern)`);
    if ('c' in v) return { t: this.constTensor(n, v.c, name), shape: [...v.c.shape] };
    if (v.flat && !allowFlat) {
      const [c, h, w] = v.flat;
      this.unsupported(n, `input '${name}' is a Flatten / Reshape of a [N,${c},${h},${w}] tensor; sepconv keeps tensors NHWC, so this only works with H = W = 1 or when a Gemm / MatMul with constant weights follows`);
    }
    return v;
  }

  /** One IR constant per ONNX constant read as a tensor. */
  constTensor(n: OnnxNodeProto, c: ConstTensor, name: string): string {
    let t = this.constTensors.get(c);
    if (t) return t;
    const r = c.shape.length;
    if (r === 3 || r > 4) this.unsupported(n, `constant '${name}' of shape ${fmt(c.shape)} used as a tensor (sepconv tensors are 1-D, 2-D or 4-D NCHW)`);
    const data = r === 4 ? transposeData(Float32Array.from(c.data), c.shape, NCHW_TO_NHWC) : Float32Array.from(c.data);
    const shape = r === 4 ? NCHW_TO_NHWC.map((p) => c.shape[p]) : r === 0 ? [1] : [...c.shape];
    t = this.b.constant(this.b.freshName(name), shape, data);
    this.constTensors.set(c, t);
    return t;
  }

  /** An IR constant with the given IR shape (weights after layout conversion). */
  weight(base: string, shape: number[], data: Float32Array): string {
    return this.b.constant(this.b.freshName(base), shape, data);
  }

  // ---------------------------------------------------------------------------------------- outputs

  /** IR name for a node's output i: the ONNX name when it is still free. */
  outName(n: OnnxNodeProto, i = 0): string {
    const o = n.output?.[i];
    return this.b.freshName(o || `${this.label(n)}:${i}`);
  }

  /** A helper IR name derived from the node's output. */
  tmpName(n: OnnxNodeProto, suffix: string): string {
    return this.b.freshName(`${n.output?.[0] || this.label(n)}/${suffix}`);
  }

  set(n: OnnxNodeProto, v: Value, i = 0): void {
    const o = n.output?.[i];
    if (o) this.vals.set(o, v);
  }

  /** Output i is IR tensor t (its ONNX shape derived from the IR shape by the layout rule). */
  setTensor(n: OnnxNodeProto, t: string, i = 0, extra: Partial<TensorValue> = {}): void {
    const s = this.b.shape(t);
    const shape = s.length === 4 ? [s[0], s[3], s[1], s[2]] : s;
    this.set(n, { t, shape, ...extra }, i);
  }

  setConst(n: OnnxNodeProto, c: ConstTensor, i = 0): void {
    this.set(n, { c }, i);
  }

  /** A per-channel vector of length C from a constant broadcastable to [N,C,H,W] / [N,C] over channels. */
  channelVector(n: OnnxNodeProto, c: ConstTensor, rank: number, C: number, what: string): Float32Array | null {
    if (c.data.length === 1) return new Float32Array(C).fill(c.data[0]);
    if (c.data.length !== C) return null;
    // right-aligned broadcasting: the C values must sit on axis 1 of the rank-`rank` operand
    const s = c.shape;
    const axis = rank - s.length + s.findIndex((d) => d === C);
    const ok = s.length <= rank && axis === 1 && s.filter((d) => d !== 1).length === 1;
    if (!ok) this.unsupported(n, `${what} of shape ${fmt(s)} does not broadcast per channel over a rank-${rank} tensor`);
    return Float32Array.from(c.data);
  }

  /** Decodes an attribute tensor (Constant value, ConstantOfShape value). */
  attrTensor(n: OnnxNodeProto, key: string): ConstTensor | undefined {
    const a = this.attr(n, key);
    return a?.t ? decodeTensor(a.t, `attribute '${key}' of node '${this.label(n)}'`, this.source) : undefined;
  }
}

/**
 * Padding of a conv / pool window from ONNX attributes (auto_pad, pads) for an input of H x W:
 * returns IR pads [top, left, bottom, right] (ONNX pads are [top, left, bottom, right] too).
 */
export function windowPads(cv: OnnxConverter, n: OnnxNodeProto, hw: [number, number], k: [number, number], s: [number, number], d: [number, number]): Pads {
  const autoPad = cv.str(n, 'auto_pad', 'NOTSET');
  if (autoPad === 'NOTSET') {
    const p = cv.ints(n, 'pads', [0, 0, 0, 0]);
    if (p.length !== 4) cv.unsupported(n, `pads [${p.join(',')}] (sepconv supports 2-D windows: 4 pads)`);
    if (p.some((v) => v < 0)) cv.unsupported(n, `negative pads [${p.join(',')}]`);
    return [p[0], p[1], p[2], p[3]];
  }
  if (autoPad === 'VALID') return [0, 0, 0, 0];
  if (autoPad !== 'SAME_UPPER' && autoPad !== 'SAME_LOWER') cv.unsupported(n, `auto_pad '${autoPad}' (supported: NOTSET, VALID, SAME_UPPER, SAME_LOWER)`);
  const pads: number[] = [];
  for (let ax = 0; ax < 2; ax++) {
    const out = Math.ceil(hw[ax] / s[ax]);
    const total = Math.max(0, (out - 1) * s[ax] + (k[ax] - 1) * d[ax] + 1 - hw[ax]);
    const small = Math.floor(total / 2);
    pads.push(autoPad === 'SAME_UPPER' ? small : total - small, autoPad === 'SAME_UPPER' ? total - small : small);
  }
  return [pads[0], pads[2], pads[1], pads[3]];
}

/** kernel / strides / dilations attributes as pairs (2-D windows only). */
export function pairAttr(cv: OnnxConverter, n: OnnxNodeProto, key: string, fallback: [number, number]): [number, number] {
  const v = cv.ints(n, key, fallback);
  if (v.length !== 2) cv.unsupported(n, `${key} [${v.join(',')}] (sepconv supports 2-D windows)`);
  if (v.some((x) => !Number.isInteger(x) || x < 1)) cv.formatError(n, `${key} [${v.join(',')}] must be positive integers`);
  return [v[0], v[1]];
}
