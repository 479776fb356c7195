import { FormatError, ShapeError, UnsupportedOpError } from '../../errors.js';
import type { ActName } from '../../kernels/act.js';
import type { Graph, Pads } from '../../graph/ir.js';
import { deconvPadsAxis, tfSamePads } from '../../graph/padding.js';
import { GraphBuilder } from '../../zoo/builder.js';
import { decodeWeights, type DecodedWeight, type WeightsGroup } from './weights.js';

/** TF.js graph-model JSON (the parts sepconv reads). */
export interface TfjsModelJson {
  format?: string;
  modelTopology: { node: TfNode[] };
  weightsManifest: WeightsGroup[];
  signature?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
}
interface TfNode {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, TfAttr>;
}
interface TfAttr {
  s?: string;
  i?: string | number;
  f?: number;
  b?: boolean;
  list?: { s?: string[]; i?: (string | number)[]; f?: number[] };
  shape?: { dim?: { size?: string | number }[]; unknownRank?: boolean };
}

export const TFJS_GRAPH_OPS = [
  'Placeholder', 'Const', 'Identity', 'Conv2D', 'DepthwiseConv2dNative', '_FusedConv2D', 'FusedDepthwiseConv2dNative', 'Conv2DBackpropInput',
  'BiasAdd', 'Add', 'AddV2', 'AddN', 'Mul', 'Relu', 'Relu6', 'Sigmoid', 'AvgPool', 'MaxPool', 'ResizeBilinear', 'Softmax',
] as const;

const ACTS: Record<string, ActName> = { Relu: 'relu', Relu6: 'relu6', Sigmoid: 'sigmoid' };

type Value = { t: string } | { c: DecodedWeight };

const b64 = (s: string | undefined): string => (s === undefined ? '' : typeof atob === 'function' ? atob(s) : Buffer.from(s, 'base64').toString('latin1'));
const baseName = (input: string): string => input.replace(/^\^/, '').replace(/:0$/, '');

/**
 * Converts a TF.js graph model (model.json + its concatenated weight shards) into the IR,
 * keeping only what `outputs` (default: the signature's outputs) need: ops outside that
 * subgraph are never looked at. Tensor names are the TF node names.
 */
export function importTfjsGraphModel(modelJson: TfjsModelJson, weightBytes: Uint8Array, options: { outputs?: string[]; source?: string } = {}): Graph {
  const source = options.source ?? 'model.json';
  const nodes = modelJson?.modelTopology?.node;
  if (!Array.isArray(nodes) || !Array.isArray(modelJson.weightsManifest)) {
    throw new FormatError(`${source}: not a TF.js graph model (needs modelTopology.node and weightsManifest)`);
  }
  const weights = decodeWeights(modelJson.weightsManifest, weightBytes, source);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const sigOut = Object.keys(modelJson.signature?.outputs ?? {}).map(baseName);
  const outputs = options.outputs ?? (sigOut.length ? sigOut : []);
  if (outputs.length === 0) throw new FormatError(`${source}: the model has no signature outputs; name the tensors to compute with the 'outputs' option`);
  for (const o of outputs) {
    if (!byName.has(o)) throw new ShapeError(`${source}: '${o}' is not a node of this model; available nodes include ${nodes.slice(-10).map((n) => n.name).join(', ')}`);
  }
  // Topological order of what the outputs need (DFS; model.json order is not guaranteed).
  const order: TfNode[] = [];
  const state = new Map<string, number>();
  const visit = (name: string): void => {
    const s = state.get(name);
    if (s === 2) return;
    if (s === 1) throw new FormatError(`${source}: the graph has a cycle through '${name}'`);
    const n = byName.get(name);
    if (!n) throw new FormatError(`${source}: a node reads '${name}', which is not a node of the model`);
    state.set(name, 1);
    for (const i of n.input ?? []) if (!i.startsWith('^')) visit(baseName(i));
    state.set(name, 2);
    order.push(n);
  };
  for (const o of outputs) visit(o);

  const b = new GraphBuilder(modelJson.format ?? 'tfjs-graph-model', 0);
  const vals = new Map<string, Value>();
  const conv = new TfConverter(b, vals, weights, source);
  for (const n of order) conv.convert(n);
  const outs = outputs.map((o) => conv.tensor(o, `graph output '${o}'`));
  return b.build(outs);
}

class TfConverter {
  constructor(
    private readonly b: GraphBuilder,
    private readonly vals: Map<string, Value>,
    private readonly weights: Map<string, DecodedWeight>,
    private readonly source: string,
  ) {}

  private unsupported(n: TfNode, what: string): never {
    throw new UnsupportedOpError(`${this.source}: node '${n.name}' (${n.op}): ${what}; supported TF.js ops: ${TFJS_GRAPH_OPS.join(', ')}`);
  }

  tensor(name: string, where: string): string {
    const v = this.vals.get(baseName(name));
    if (!v) throw new FormatError(`${this.source}: ${where} reads '${name}', which was not produced`);
    if ('t' in v) return v.t;
    // a constant used as an activation
    const c = v.c;
    const t = this.b.constant(`${baseName(name)}`, c.shape.length ? c.shape : [1], Float32Array.from(c.data));
    this.vals.set(baseName(name), { t });
    return t;
  }

  private input(n: TfNode, i: number): Value {
    const name = n.input?.[i];
    const v = name ? this.vals.get(baseName(name)) : undefined;
    if (!v) throw new FormatError(`${this.source}: node '${n.name}' (${n.op}) input ${i} ('${name}') is missing`);
    return v;
  }

  private constIn(n: TfNode, i: number, what: string): DecodedWeight {
    const v = this.input(n, i);
    if (!('c' in v)) this.unsupported(n, `${what} must be a constant`);
    return v.c;
  }

  private ints(n: TfNode, key: string, fallback?: number[]): number[] {
    const a = n.attr?.[key]?.list?.i;
    if (!a) {
      if (fallback) return fallback;
      throw new FormatError(`${this.source}: node '${n.name}' (${n.op}) has no attribute '${key}'`);
    }
    return a.map(Number);
  }

  private str(n: TfNode, key: string): string {
    return b64(n.attr?.[key]?.s);
  }

  private checkNhwc(n: TfNode): void {
    const f = this.str(n, 'data_format');
    if (f && f !== 'NHWC') this.unsupported(n, `data_format '${f}' (only NHWC)`);
  }

  private pads(n: TfNode, x: string, k: [number, number], s: [number, number], d: [number, number]): Pads {
    const p = this.str(n, 'padding');
    const [, H, W] = this.b.shape(x);
    if (p === 'SAME') return tfSamePads(H, W, k, s, d);
    if (p === 'VALID') return [0, 0, 0, 0];
    if (p === 'EXPLICIT') {
      const e = this.ints(n, 'explicit_paddings');
      return [e[2], e[4], e[3], e[5]];
    }
    this.unsupported(n, `padding '${p}'`);
  }

  private set(n: TfNode, t: string): void {
    this.vals.set(n.name, { t });
  }

  /** Fused activation of _FusedConv2D / FusedDepthwiseConv2dNative: fused_ops = [BiasAdd, act?]. */
  private fusedOps(n: TfNode): { bias: boolean; act: ActName } {
    const ops = (n.attr?.fused_ops?.list?.s ?? []).map(b64);
    let bias = false;
    let act: ActName = 'linear';
    for (const op of ops) {
      if (op === 'BiasAdd') bias = true;
      else if (ACTS[op]) act = ACTS[op];
      else this.unsupported(n, `fused op '${op}' (supported: BiasAdd, ${Object.keys(ACTS).join(', ')})`);
    }
    return { bias, act };
  }

  convert(n: TfNode): void {
    const b = this.b;
    switch (n.op) {
      case 'Const': {
        const w = this.weights.get(n.name);
        if (!w) throw new FormatError(`${this.source}: constant '${n.name}' has no entry in the weights manifest`);
        this.vals.set(n.name, { c: w });
        return;
      }
      case 'Placeholder': {
        const dims = (n.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size ?? -1));
        if (dims.length !== 4) this.unsupported(n, `input rank ${dims.length} (sepconv runs NHWC images: rank 4)`);
        this.set(n, b.input(n.name, dims.map((d) => (d < 0 ? 1 : d))));
        return;
      }
      case 'Identity':
        this.vals.set(n.name, this.input(n, 0));
        return;
      case 'Conv2D':
      case '_FusedConv2D':
      case 'DepthwiseConv2dNative':
      case 'FusedDepthwiseConv2dNative': {
        this.checkNhwc(n);
        const x = this.tensor(n.input![0], `node '${n.name}'`);
        const f = this.constIn(n, 1, 'the filter');
        const [kh, kw, ci, co] = f.shape;
        const s = this.ints(n, 'strides');
        const d = this.ints(n, 'dilations', [1, 1, 1, 1]);
        const fused = n.op.startsWith('_Fused') || n.op.startsWith('Fused') ? this.fusedOps(n) : { bias: false, act: 'linear' as ActName };
        const pads = this.pads(n, x, [kh, kw], [s[1], s[2]], [d[1], d[2]]);
        const inputs = [x];
        const depthwise = n.op.includes('Depthwise');
        if (depthwise) {
          if (co !== 1) this.unsupported(n, `channel multiplier ${co} (only 1)`);
          inputs.push(b.constant(`${n.name}/weight`, [kh, kw, ci], Float32Array.from(f.data)));
        } else {
          // HWIO -> OHWI
          const w = new Float32Array(f.data.length);
          for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
            w[((o * kh + y) * kw + xx) * ci + i] = f.data[((y * kw + xx) * ci + i) * co + o];
          }
          inputs.push(b.constant(`${n.name}/weight`, [co, kh, kw, ci], w));
        }
        if (fused.bias) {
          const bias = this.constIn(n, 2, 'the bias');
          inputs.push(b.constant(`${n.name}/bias`, [bias.data.length], Float32Array.from(bias.data)));
        }
        const common = { kernel: [kh, kw] as [number, number], strides: [s[1], s[2]] as [number, number], dilations: [d[1], d[2]] as [number, number], pads, act: fused.act };
        const cin = b.shape(x)[3];
        const out = depthwise ? b.node('DepthwiseConv2D', n.name, inputs, common)[0] : b.node('Conv2D', n.name, inputs, { ...common, groups: cin / ci })[0];
        this.set(n, out);
        return;
      }
      case 'Conv2DBackpropInput': {
        this.checkNhwc(n);
        const sizes = this.constIn(n, 0, 'input_sizes');
        const f = this.constIn(n, 1, 'the filter');
        const x = this.tensor(n.input![2], `node '${n.name}'`);
        const [kh, kw, co, ci] = f.shape;
        const s = this.ints(n, 'strides');
        const [, H, W] = b.shape(x);
        const outH = Number(sizes.data[1]);
        const outW = Number(sizes.data[2]);
        const [pt, pb] = deconvPadsAxis(H, outH, kh, s[1]);
        const [pl, pr] = deconvPadsAxis(W, outW, kw, s[2]);
        const w = new Float32Array(f.data.length);
        for (let y = 0; y < kh; y++) for (let xx = 0; xx < kw; xx++) for (let o = 0; o < co; o++) for (let i = 0; i < ci; i++) {
          w[((o * kh + y) * kw + xx) * ci + i] = f.data[((y * kw + xx) * co + o) * ci + i];
        }
        const wt = b.constant(`${n.name}/weight`, [co, kh, kw, ci], w);
        const padding = this.str(n, 'padding');
        if (padding !== 'SAME' && padding !== 'VALID') this.unsupported(n, `padding '${padding}'`);
        this.set(n, b.node('ConvTranspose2D', n.name, [x, wt], { kernel: [kh, kw], strides: [s[1], s[2]], pads: [pt, pl, pb, pr], act: 'linear', outputSize: [outH, outW] })[0]);
        return;
      }
      case 'BiasAdd':
      case 'Add':
      case 'AddV2':
      case 'Mul':
        this.binary(n, n.op === 'Mul' ? 'Mul' : 'Add');
        return;
      case 'AddN': {
        const ins = (n.input ?? []).filter((i) => !i.startsWith('^'));
        let acc = this.tensor(ins[0], `node '${n.name}'`);
        for (let i = 1; i < ins.length; i++) {
          const name = i === ins.length - 1 ? n.name : `${n.name}/${i}`;
          acc = b.node('Add', name, [acc, this.tensor(ins[i], `node '${n.name}'`)], { act: 'linear' })[0];
        }
        this.set(n, acc);
        return;
      }
      case 'Relu':
      case 'Relu6':
      case 'Sigmoid':
        this.set(n, b.node('Activation', n.name, [this.tensor(n.input![0], `node '${n.name}'`)], { act: ACTS[n.op] })[0]);
        return;
      case 'Softmax':
        this.set(n, b.node('Softmax', n.name, [this.tensor(n.input![0], `node '${n.name}'`)], {})[0]);
        return;
      case 'AvgPool':
      case 'MaxPool': {
        this.checkNhwc(n);
        const x = this.tensor(n.input![0], `node '${n.name}'`);
        const k = this.ints(n, 'ksize');
        const s = this.ints(n, 'strides');
        const [, H, W] = b.shape(x);
        const pads = this.pads(n, x, [k[1], k[2]], [s[1], s[2]], [1, 1]);
        if (n.op === 'AvgPool' && k[1] === H && k[2] === W && pads.every((p) => p === 0)) {
          this.set(n, b.node('GlobalAvgPool', n.name, [x], {})[0]);
        } else if (n.op === 'AvgPool') {
          this.set(n, b.node('AvgPool', n.name, [x], { kernel: [k[1], k[2]], strides: [s[1], s[2]], pads, countIncludePad: false })[0]);
        } else {
          this.set(n, b.node('MaxPool', n.name, [x], { kernel: [k[1], k[2]], strides: [s[1], s[2]], pads })[0]);
        }
        return;
      }
      case 'ResizeBilinear': {
        const x = this.tensor(n.input![0], `node '${n.name}'`);
        const size = this.constIn(n, 1, 'size');
        const align = n.attr?.align_corners?.b === true;
        const half = n.attr?.half_pixel_centers?.b === true;
        const coord = align ? 'align_corners' : half ? 'half_pixel' : 'legacy';
        this.set(n, b.node('Resize', n.name, [x], { size: [Number(size.data[0]), Number(size.data[1])], mode: 'bilinear', coord })[0]);
        return;
      }
      default:
        this.unsupported(n, 'this op is not supported');
    }
  }

  /** Add / Mul with broadcasting of scalars, per-channel vectors and [N,1,1,C] gates. */
  private binary(n: TfNode, op: 'Add' | 'Mul'): void {
    const b = this.b;
    let [va, vb] = [this.input(n, 0), this.input(n, 1)];
    if ('c' in va && 'c' in vb) {
      const [x, y] = [va.c, vb.c];
      if (x.data.length !== y.data.length && x.data.length !== 1 && y.data.length !== 1) this.unsupported(n, 'broadcast between two constants');
      const len = Math.max(x.data.length, y.data.length);
      const data = new Float32Array(len);
      for (let i = 0; i < len; i++) {
        const p = x.data[x.data.length === 1 ? 0 : i];
        const q = y.data[y.data.length === 1 ? 0 : i];
        data[i] = op === 'Add' ? p + q : p * q;
      }
      this.vals.set(n.name, { c: { shape: x.data.length >= y.data.length ? x.shape : y.shape, dtype: 'float32', data } });
      return;
    }
    if ('c' in va) [va, vb] = [vb, va]; // commutative: tensor first
    const a = (va as { t: string }).t;
    const shape = b.shape(a);
    const C = shape[shape.length - 1];
    let bt: string;
    if ('c' in vb) {
      const c = vb.c;
      let data = Float32Array.from(c.data);
      if (data.length === 1) data = new Float32Array(C).fill(data[0]);
      if (data.length === C) bt = b.constant(`${n.name}/operand`, [C], data);
      else if (data.length === shape.reduce((p, q) => p * q, 1)) bt = b.constant(`${n.name}/operand`, shape, data);
      else this.unsupported(n, `constant operand of shape [${c.shape.join(',')}] for input [${shape.join(',')}]`);
    } else {
      bt = vb.t;
      const bs = b.shape(bt);
      const size = (s: number[]) => s.reduce((p, q) => p * q, 1);
      if (size(bs) > size(shape)) {
        // broadcast the other way round ([N,1,1,C] first): swap (commutative)
        this.set(n, b.node(op, n.name, [bt, a], { act: 'linear' })[0]);
        return;
      }
    }
    this.set(n, b.node(op, n.name, [a, bt], { act: 'linear' })[0]);
  }
}
