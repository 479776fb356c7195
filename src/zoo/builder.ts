import { ShapeError } from '../errors.js';
import type { ActName } from '../kernels/act.js';
import type { Constant, Graph, Node, OpAttrs, OpType, Pads, TensorSpec } from '../graph/ir.js';
import { inferNodeShapes, fmtShape } from '../graph/shapes.js';
import { deconvPadsAxis, tfSamePads } from '../graph/padding.js';
import { mulberry32 } from '../util/random.js';

export { mulberry32 };

/** 'same' = TensorFlow SAME (asymmetric for stride 2), 'valid' = no padding, or explicit [t, l, b, r]. */
export type PadSpec = 'same' | 'valid' | Pads;

export interface ConvOptions {
  cout: number;
  k?: number | [number, number];
  s?: number;
  d?: number;
  groups?: number;
  bias?: boolean;
  /** Fused activation attribute of the Conv2D node itself (builders keep it 'linear' and emit Activation nodes). */
  act?: ActName;
  pad?: PadSpec;
  /** Weight std = gain / sqrt(fan_in); default sqrt(2) when act is relu-like, else 1. */
  gain?: number;
  /** Uniform range of the bias values. */
  biasRange?: [number, number];
}

export interface DwOptions {
  k?: number | [number, number];
  s?: number;
  d?: number;
  bias?: boolean;
  act?: ActName;
  pad?: PadSpec;
  gain?: number;
}

export interface DeconvOptions {
  cout: number;
  k?: number;
  s?: number;
  /** Target output size; default in * s. Pads are the crop, split floor/ceil (deconvPadsAxis). */
  outputSize?: [number, number];
  bias?: boolean;
  act?: ActName;
  gain?: number;
}

/** Options of a conv + BatchNorm (+ Activation) triple. */
export interface ConvBnOptions extends Omit<ConvOptions, 'act' | 'bias'> {
  act?: ActName;
}

const RELU_LIKE: ReadonlySet<ActName> = new Set<ActName>(['relu', 'relu6', 'hswish']);
const pair = (v: number | [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : v);

/**
 * Appends IR nodes with reproducible random weights and tracks shapes as it goes (every node is shape-checked
 * when added). Tensors are named after the node producing them (Split outputs: `name:i`).
 *
 * Weight initialisation keeps activations O(1) through deep stacks without real statistics: conv / fc
 * weights ~ N(0, gain^2 / fan_in) with gain sqrt(2) in front of relu-like activations and 1 otherwise
 * (He / LeCun; 1.7 for hard-swish), BatchNorm gamma ~ U(0.9, 1.1), beta ~ U(-0.1, 0.1), mean ~ U(-0.1, 0.1), variance ~ U(0.8, 1.2).
 */
export class GraphBuilder {
  readonly nodes: Node[] = [];
  readonly constants = new Map<string, Constant>();
  readonly inputs: TensorSpec[] = [];
  private readonly shapes = new Map<string, number[]>();
  private readonly names = new Set<string>();
  private readonly rand: () => number;

  constructor(
    readonly name: string,
    seed = 1,
  ) {
    this.rand = mulberry32(seed);
  }

  shape(t: string): number[] {
    const s = this.shapes.get(t);
    if (!s) throw new ShapeError(`GraphBuilder '${this.name}': unknown tensor '${t}'`);
    return [...s];
  }

  channels(t: string): number {
    const s = this.shape(t);
    return s[s.length - 1];
  }

  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.rand();
  }

  normal(): number {
    // Box-Muller; 1 - u avoids log(0).
    const u = 1 - this.rand();
    const v = this.rand();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }

  input(name: string, shape: number[]): string {
    this.claim(name);
    this.inputs.push({ name, shape: [...shape] });
    this.shapes.set(name, [...shape]);
    return name;
  }

  constant(name: string, shape: number[], data: Float32Array, affine?: { scale: number; min: number }): string {
    this.claim(name);
    this.constants.set(name, { name, shape: [...shape], data, ...(affine ? { affine } : {}) });
    this.shapes.set(name, [...shape]);
    return name;
  }

  /** `base`, or `base_1`, `base_2`, ... : the first name not used yet. */
  freshName(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name) || this.shapes.has(name); i++) name = `${base}_${i}`;
    return name;
  }

  private claim(name: string): void {
    if (this.names.has(name) || this.shapes.has(name)) throw new ShapeError(`GraphBuilder '${this.name}': name '${name}' is used twice`);
    this.names.add(name);
  }

  private randomConst(name: string, shape: number[], gen: () => number): string {
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    for (let i = 0; i < n; i++) data[i] = gen();
    return this.constant(name, shape, data);
  }

  private weights(name: string, shape: number[], fanIn: number, gain: number): string {
    const std = gain / Math.sqrt(fanIn);
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    // Box-Muller, both outputs used (weights are the bulk of the build time).
    for (let i = 0; i < n; i += 2) {
      const r = std * Math.sqrt(-2 * Math.log(1 - this.rand()));
      const t = 2 * Math.PI * this.rand();
      data[i] = r * Math.cos(t);
      if (i + 1 < n) data[i + 1] = r * Math.sin(t);
    }
    return this.constant(name, shape, data);
  }

  /** Appends a node; returns its output tensor names. */
  node<T extends OpType>(op: T, name: string, inputs: string[], attrs: OpAttrs[T], nOutputs = 1): string[] {
    this.claim(name);
    const outputs = nOutputs === 1 ? [name] : Array.from({ length: nOutputs }, (_, i) => `${name}:${i}`);
    const node = { name, op, inputs, outputs, attrs } as Node;
    const shapes = inferNodeShapes(node, (t) => this.shapes.get(t));
    outputs.forEach((o, i) => {
      if (i > 0) this.claim(o);
      this.shapes.set(o, shapes[i]);
    });
    this.nodes.push(node);
    return outputs;
  }

  private padsFor(x: string, pad: PadSpec, k: [number, number], s: number, d: number): Pads {
    if (pad === 'valid') return [0, 0, 0, 0];
    if (pad === 'same') {
      const [, h, w] = this.shape(x);
      return tfSamePads(h, w, k, s, d);
    }
    return pad;
  }

  private defaultGain(act: ActName | undefined): number {
    // hard-swish is ~x/2 near 0 (where random activations mostly live), so it gets gain 1.7 (between sqrt(2) and 2; checked empirically).
    if (act === 'hswish') return 1.7;
    return act && RELU_LIKE.has(act) ? Math.SQRT2 : 1;
  }

  conv(x: string, name: string, o: ConvOptions): string {
    const k = pair(o.k ?? 1);
    const s = o.s ?? 1;
    const d = o.d ?? 1;
    const groups = o.groups ?? 1;
    const cin = this.channels(x);
    if (cin % groups !== 0 || o.cout % groups !== 0) {
      throw new ShapeError(`GraphBuilder '${this.name}': conv '${name}' input ${fmtShape(this.shape(x))} -> ${o.cout} channels not divisible by groups = ${groups}`);
    }
    const fanIn = k[0] * k[1] * (cin / groups);
    const inputs = [x, this.weights(`${name}/weight`, [o.cout, k[0], k[1], cin / groups], fanIn, o.gain ?? this.defaultGain(o.act))];
    if (o.bias) {
      const [lo, hi] = o.biasRange ?? [-0.1, 0.1];
      inputs.push(this.randomConst(`${name}/bias`, [o.cout], () => this.uniform(lo, hi)));
    }
    const pads = this.padsFor(x, o.pad ?? 'same', k, s, d);
    return this.node('Conv2D', name, inputs, { kernel: k, strides: [s, s], dilations: [d, d], pads, groups, act: o.act ?? 'linear' })[0];
  }

  dwconv(x: string, name: string, o: DwOptions = {}): string {
    const k = pair(o.k ?? 3);
    const s = o.s ?? 1;
    const d = o.d ?? 1;
    const c = this.channels(x);
    const inputs = [x, this.weights(`${name}/weight`, [k[0], k[1], c], k[0] * k[1], o.gain ?? this.defaultGain(o.act))];
    if (o.bias) inputs.push(this.randomConst(`${name}/bias`, [c], () => this.uniform(-0.1, 0.1)));
    const pads = this.padsFor(x, o.pad ?? 'same', k, s, d);
    return this.node('DepthwiseConv2D', name, inputs, { kernel: k, strides: [s, s], dilations: [d, d], pads, act: o.act ?? 'linear' })[0];
  }

  /** Transposed conv; weights [cout][k][k][cin]; each output pixel sums about k*k*cin/(s*s) products. */
  deconv(x: string, name: string, o: DeconvOptions): string {
    const k = o.k ?? 2;
    const s = o.s ?? 2;
    const [, h, w, cin] = this.shape(x);
    const size = o.outputSize ?? [h * s, w * s];
    const [pt, pb] = deconvPadsAxis(h, size[0], k, s);
    const [pl, pr] = deconvPadsAxis(w, size[1], k, s);
    const fanIn = Math.max(1, (k * k * cin) / (s * s));
    const inputs = [x, this.weights(`${name}/weight`, [o.cout, k, k, cin], fanIn, o.gain ?? this.defaultGain(o.act))];
    if (o.bias) inputs.push(this.randomConst(`${name}/bias`, [o.cout], () => this.uniform(-0.1, 0.1)));
    return this.node('ConvTranspose2D', name, inputs, {
      kernel: [k, k],
      strides: [s, s],
      pads: [pt, pl, pb, pr],
      act: o.act ?? 'linear',
      outputSize: [size[0], size[1]],
    })[0];
  }

  bn(x: string, name: string, epsilon = 1e-3): string {
    const c = this.channels(x);
    const gamma = this.randomConst(`${name}/gamma`, [c], () => this.uniform(0.9, 1.1));
    const beta = this.randomConst(`${name}/beta`, [c], () => this.uniform(-0.1, 0.1));
    const mean = this.randomConst(`${name}/mean`, [c], () => this.uniform(-0.1, 0.1));
    const variance = this.randomConst(`${name}/variance`, [c], () => this.uniform(0.8, 1.2));
    return this.node('BatchNorm', name, [x, gamma, beta, mean, variance], { epsilon })[0];
  }

  act(x: string, name: string, act: ActName): string {
    return this.node('Activation', name, [x], { act })[0];
  }

  /** Conv2D (no bias) named `name`, BatchNorm `name/bn`, and Activation `name/<act>` unless act is linear. */
  convBn(x: string, name: string, o: ConvBnOptions): string {
    const act = o.act ?? 'linear';
    let y = this.conv(x, name, { ...o, act: 'linear', bias: false, gain: o.gain ?? this.defaultGain(act) });
    y = this.bn(y, `${name}/bn`);
    return act === 'linear' ? y : this.act(y, `${name}/${act}`, act);
  }

  /** DepthwiseConv2D (no bias), BatchNorm, Activation unless linear. */
  dwBn(x: string, name: string, o: DwOptions = {}): string {
    const act = o.act ?? 'linear';
    let y = this.dwconv(x, name, { ...o, act: 'linear', bias: false, gain: o.gain ?? this.defaultGain(act) });
    y = this.bn(y, `${name}/bn`);
    return act === 'linear' ? y : this.act(y, `${name}/${act}`, act);
  }

  add(a: string, b: string, name: string, act: ActName = 'linear'): string {
    return this.node('Add', name, [a, b], { act })[0];
  }

  mul(a: string, b: string, name: string, act: ActName = 'linear'): string {
    return this.node('Mul', name, [a, b], { act })[0];
  }

  concat(xs: string[], name: string): string {
    return this.node('Concat', name, xs, {})[0];
  }

  shuffle(x: string, groups: number, name: string): string {
    return this.node('ChannelShuffle', name, [x], { groups })[0];
  }

  split(x: string, sizes: number[], name: string): string[] {
    return this.node('Split', name, [x], { sizes }, sizes.length);
  }

  maxpool(x: string, name: string, k = 3, s = 2, pad: PadSpec = 'same'): string {
    const pads = this.padsFor(x, pad, [k, k], s, 1);
    return this.node('MaxPool', name, [x], { kernel: [k, k], strides: [s, s], pads })[0];
  }

  /** Average pool; padding is excluded from the count (TF SAME semantics) unless countIncludePad. */
  avgpool(x: string, name: string, k = 3, s = 2, pad: PadSpec = 'same', countIncludePad = false): string {
    const pads = this.padsFor(x, pad, [k, k], s, 1);
    return this.node('AvgPool', name, [x], { kernel: [k, k], strides: [s, s], pads, countIncludePad })[0];
  }

  gap(x: string, name: string): string {
    return this.node('GlobalAvgPool', name, [x], {})[0];
  }

  flatten(x: string, name: string): string {
    return this.node('Flatten', name, [x], {})[0];
  }

  fc(x: string, name: string, n: number, o: { bias?: boolean; act?: ActName; gain?: number } = {}): string {
    const s = this.shape(x);
    const k = s[s.length - 1];
    const inputs = [x, this.weights(`${name}/weight`, [n, k], k, o.gain ?? this.defaultGain(o.act))];
    if (o.bias ?? true) inputs.push(this.randomConst(`${name}/bias`, [n], () => this.uniform(-0.1, 0.1)));
    return this.node('FullyConnected', name, inputs, { act: o.act ?? 'linear' })[0];
  }

  softmax(x: string, name: string): string {
    return this.node('Softmax', name, [x], {})[0];
  }

  resize(x: string, name: string, size: [number, number], mode: 'bilinear' | 'nearest' = 'bilinear', coord: OpAttrs['Resize']['coord'] = 'half_pixel'): string {
    return this.node('Resize', name, [x], { size, mode, coord })[0];
  }

  crelu(x: string, name: string, act: ActName = 'relu'): string {
    return this.node('CReLU', name, [x], { act })[0];
  }

  pad(x: string, name: string, pads: Pads): string {
    return this.node('Pad', name, [x], { pads })[0];
  }

  build(outputs: string[]): Graph {
    for (const o of outputs) this.shape(o);
    return { name: this.name, inputs: this.inputs.map((t) => ({ name: t.name, shape: [...t.shape] })), outputs: [...outputs], nodes: [...this.nodes], constants: new Map(this.constants) };
  }
}
