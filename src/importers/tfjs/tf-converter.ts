import { FormatError, UnsupportedOpError } from '../../errors.js';
import type { ActName } from '../../kernels/act.js';
import type { Pads } from '../../graph/ir.js';
import { tfSamePads } from '../../graph/padding.js';
import type { GraphBuilder } from '../../zoo/builder.js';
import type { DecodedWeight } from './weights.js';

/** A TF NodeDef as TF.js writes it in model.json. */
export interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}
export interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  type?: string;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[] };
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
  tensor?: unknown;
}

/**
 * What a TF tensor is during import: a constant (folded at load time), or an IR tensor `t`.
 * `shape` is the TF shape when it differs from the IR tensor's (a reshape / squeeze / expand
 * view, possibly of rank > 4, materialised as an IR Reshape only when an op needs it).
 */
export type Value = { c: DecodedWeight } | { t: string; shape?: number[]; name?: string };
export type TensorValue = Extract<Value, { t: string }>;

export const b64 = (s: string | undefined): string =>
  s === undefined ? '' : typeof atob === 'function' ? atob(s) : Buffer.from(s, 'base64').toString('latin1');
/** The value a NodeDef input names ('^ctrl' and ':0' removed; ':1' etc. kept). */
export const valueName = (input: string): string => input.replace(/^\^/, '').replace(/:0$/, '');
/** The node an input names. */
export const nodeName = (input: string): string => input.replace(/^\^/, '').replace(/:\d+$/, '');

export const sameShape = (a: readonly number[], b: readonly number[]): boolean => a.length === b.length && a.every((v, i) => v === b[i]);

/** Activations TF writes as ops / fused ops that map onto an IR activation code. */
export const TF_ACTS: Record<string, ActName> = { Relu: 'relu', Relu6: 'relu6', Sigmoid: 'sigmoid', Tanh: 'tanh', Elu: 'elu' };

/** A fused op list (`fused_ops` of _FusedConv2D / FusedDepthwiseConv2dNative / _FusedMatMul). */
export interface Fused {
  bias: boolean;
  act: ActName;
  /** Prelu / LeakyRelu after the bias: the slope input index, or a LeakyRelu alpha. */
  prelu?: { input: number } | { alpha: number };
}

export class TfConverter {
  private readonly constTensors = new Map<DecodedWeight, string>();

  constructor(
    readonly b: GraphBuilder,
    readonly vals: Map<string, Value>,
    readonly weights: Map<string, DecodedWeight>,
    readonly source: string,
    readonly supported: readonly string[],
  ) {}

  unsupported(n: TfNode, what: string): never {
    throw new UnsupportedOpError(`${this.source}: node '${n.name}' (${n.op}): ${what}; supported TF.js ops: ${this.supported.join(', ')}`);
  }

  formatError(n: TfNode, what: string): never {
    throw new FormatError(`${this.source}: node '${n.name}' (${n.op}): ${what}`);
  }

  /** Data inputs of a node (control inputs dropped). */
  inputs(n: TfNode): string[] {
    return (n.input ?? []).filter((i) => !i.startsWith('^'));
  }

  value(n: TfNode, i: number): Value {
    const name = this.inputs(n)[i];
    const v = name === undefined ? undefined : this.vals.get(valueName(name));
    if (!v) this.formatError(n, `input ${i} ('${name ?? ''}') is missing`);
    return v;
  }

  /** TF shape of a value. */
  shapeOf(v: Value): number[] {
    if ('c' in v) return [...v.c.shape];
    return v.shape ? [...v.shape] : this.b.shape(v.t);
  }

  /** An IR tensor with the TF shape of the value (constants become IR constants, views IR Reshapes). */
  materialize(v: Value, name: string, n: TfNode): string {
    if ('c' in v) {
      // a constant read as an activation: one IR constant per TF constant
      let t = this.constTensors.get(v.c);
      if (!t) {
        t = this.b.constant(this.b.freshName(name), v.c.shape.length ? v.c.shape : [1], Float32Array.from(v.c.data));
        this.constTensors.set(v.c, t);
      }
      return t;
    }
    if (!v.shape) return v.t;
    if (v.shape.length > 4 || v.shape.length < 1) this.unsupported(n, `a rank-${v.shape.length} tensor [${v.shape.join(',')}] as input (sepconv tensors have rank 1 to 4)`);
    const t = this.b.node('Reshape', this.b.freshName(v.name ?? `${v.t}/reshape`), [v.t], { shape: v.shape })[0];
    // later readers of the same view reuse this Reshape
    for (const [k, w] of this.vals) if (w === v) this.vals.set(k, { t });
    return t;
  }

  /** Input i as an IR tensor (see materialize). */
  tensor(n: TfNode, i: number): string {
    const name = this.inputs(n)[i];
    return this.materialize(this.value(n, i), valueName(name), n);
  }

  constIn(n: TfNode, i: number, what: string): DecodedWeight {
    const v = this.value(n, i);
    if (!('c' in v)) this.unsupported(n, `${what} (input ${i}) must be a constant`);
    return v.c;
  }

  /** Integer list from a constant input (axes, sizes, paddings). */
  intsIn(n: TfNode, i: number, what: string): number[] {
    return Array.from(this.constIn(n, i, what).data, Number);
  }

  ints(n: TfNode, key: string, fallback?: number[]): number[] {
    const a = n.attr?.[key]?.list?.i;
    if (!a) {
      if (fallback) return fallback;
      this.formatError(n, `has no attribute '${key}'`);
    }
    return a.map(Number);
  }

  int(n: TfNode, key: string, fallback: number): number {
    const v = n.attr?.[key]?.i;
    return v === undefined ? fallback : Number(v);
  }

  str(n: TfNode, key: string): string {
    return b64(n.attr?.[key]?.s);
  }

  bool(n: TfNode, key: string): boolean {
    return n.attr?.[key]?.b === true;
  }

  checkNhwc(n: TfNode): void {
    const f = this.str(n, 'data_format');
    if (f && f !== 'NHWC') this.unsupported(n, `data_format '${f}' (only NHWC)`);
  }

  pads(n: TfNode, x: string, k: [number, number], s: [number, number], d: [number, number]): Pads {
    const p = this.str(n, 'padding');
    const [, H, W] = this.b.shape(x);
    if (p === 'SAME') return tfSamePads(H, W, k, s, d);
    if (p === 'VALID') return [0, 0, 0, 0];
    if (p === 'EXPLICIT') {
      const e = this.ints(n, 'explicit_paddings');
      if (e[0] || e[1] || e[6] || e[7]) this.unsupported(n, `explicit_paddings [${e.join(',')}] pad the batch or channel axis`);
      return [e[2], e[4], e[3], e[5]];
    }
    this.unsupported(n, `padding '${p}'`);
  }

  /** The node's value is IR tensor t. */
  set(n: TfNode, t: string): void {
    this.vals.set(n.name, { t });
  }

  setConst(n: TfNode, c: DecodedWeight, key = n.name): void {
    this.vals.set(key, { c });
  }

  /** Parses fused_ops: [BiasAdd?, activation?]. */
  fusedOps(n: TfNode): Fused {
    const ops = (n.attr?.fused_ops?.list?.s ?? []).map(b64);
    const f: Fused = { bias: false, act: 'linear' };
    for (const op of ops) {
      if (op === 'BiasAdd') f.bias = true;
      else if (TF_ACTS[op] && f.act === 'linear' && !f.prelu) f.act = TF_ACTS[op];
      else if (op === 'Prelu' && f.act === 'linear' && !f.prelu) f.prelu = { input: 3 };
      else if (op === 'LeakyRelu' && f.act === 'linear' && !f.prelu) f.prelu = { alpha: n.attr?.leakyrelu_alpha?.f ?? 0.2 };
      else this.unsupported(n, `fused_ops [${ops.join(', ')}] (supported: BiasAdd followed by one of ${[...Object.keys(TF_ACTS), 'Prelu', 'LeakyRelu'].join(', ')})`);
    }
    if (f.prelu && 'input' in f.prelu) f.prelu = { input: f.bias ? 3 : 2 };
    return f;
  }

  /** A per-channel [C] vector from a constant (scalar or any shape holding C values). */
  channelVector(n: TfNode, c: DecodedWeight, C: number, what: string): Float32Array {
    if (c.data.length === 1) return new Float32Array(C).fill(c.data[0]);
    if (c.data.length === C && c.shape.slice(0, -1).every((d) => d === 1)) return Float32Array.from(c.data);
    this.unsupported(n, `${what} of shape [${c.shape.join(',')}] (needs a scalar or ${C} per-channel values)`);
  }

  /**
   * Emits the node's main op as `name` (the node's own name when nothing follows) and the Prelu /
   * LeakyRelu of `fused` after it; returns the final tensor.
   */
  withPrelu(n: TfNode, fused: Fused, emit: (name: string) => string): string {
    if (!fused.prelu) return emit(n.name);
    const y = emit(this.b.freshName(`${n.name}/pre`));
    const C = this.b.channels(y);
    const slope = 'alpha' in fused.prelu ? new Float32Array(C).fill(fused.prelu.alpha) : this.channelVector(n, this.constIn(n, fused.prelu.input, 'the Prelu alpha'), C, 'the Prelu alpha');
    const s = this.b.constant(this.b.freshName(`${n.name}/alpha`), [C], slope);
    return this.b.node('Prelu', n.name, [y, s], { act: 'linear' })[0];
  }
}
