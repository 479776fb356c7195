import { FormatError, UnsupportedOpError } from '../../errors.js';
import type { Pads } from '../../graph/ir.js';
import { tfSamePads } from '../../graph/padding.js';
import type { ActName } from '../../kernels/act.js';
import type { GraphBuilder } from '../../zoo/builder.js';
import type { KerasLayer } from './keras-topology.js';
import type { DecodedWeight } from './weights.js';

/** Every Keras layer class the layers-model importer converts. */
export const KERAS_LAYERS: readonly string[] = [
  'InputLayer', 'Conv2D', 'DepthwiseConv2D', 'SeparableConv2D', 'Conv2DTranspose', 'Dense', 'BatchNormalization',
  'Activation', 'ReLU', 'LeakyReLU', 'PReLU', 'ELU', 'Softmax', 'ZeroPadding2D', 'Add', 'Subtract', 'Multiply', 'Average', 'Maximum', 'Minimum',
  'Concatenate', 'GlobalAveragePooling2D', 'GlobalMaxPooling2D', 'AveragePooling2D', 'MaxPooling2D', 'Reshape', 'Flatten',
  'Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout', 'UpSampling2D',
];

/** Keras activation names (snake_case, as Keras and TF.js serialise them) the importer converts. */
export const KERAS_ACTIVATIONS: readonly string[] = ['linear', 'relu', 'relu6', 'sigmoid', 'tanh', 'elu', 'hard_sigmoid', 'swish', 'silu', 'hard_swish', 'hard_silu', 'softmax'];

/** Activations that are IR activation codes (fused into a conv / dense epilogue or an Activation node). */
const NATIVE: Record<string, ActName> = { linear: 'linear', relu: 'relu', relu6: 'relu6', sigmoid: 'sigmoid', tanh: 'tanh', elu: 'elu', hard_swish: 'hswish', hard_silu: 'hswish' };

const snake = (s: string): string => s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();

/** Conversion state of one layers model: the builder, the decoded weights, and config readers that name the layer in errors. */
export class KerasConverter {
  private weightIndex: Map<string, DecodedWeight> | null = null;
  private readonly constCache = new Map<string, string>();

  constructor(
    readonly b: GraphBuilder,
    readonly weights: Map<string, DecodedWeight>,
    readonly source: string,
  ) {}

  unsupported(l: KerasLayer, what: string): never {
    throw new UnsupportedOpError(`${this.source}: layer '${l.name}' (${l.class_name}): ${what}; supported layer classes: ${KERAS_LAYERS.join(', ')}`);
  }

  formatError(l: KerasLayer, what: string): never {
    throw new FormatError(`${this.source}: layer '${l.name}' (${l.class_name}): ${what}`);
  }

  /** An integer pair from a number or a 1- / 2-element list (kernel_size, strides, dilation_rate, size). */
  pair(l: KerasLayer, key: string, fallback?: [number, number]): [number, number] {
    const v = l.config[key];
    if (v === undefined || v === null) {
      if (fallback) return fallback;
      this.formatError(l, `config has no '${key}'`);
    }
    const a = typeof v === 'number' ? [v, v] : Array.isArray(v) && v.length === 1 ? [v[0], v[0]] : v;
    if (!Array.isArray(a) || a.length !== 2 || !a.every((x) => Number.isInteger(x) && x >= 1)) this.formatError(l, `'${key}' is ${JSON.stringify(v)}; expected a positive integer or a pair of them`);
    return [a[0] as number, a[1] as number];
  }

  int(l: KerasLayer, key: string, fallback?: number): number {
    const v = l.config[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isInteger(v)) this.formatError(l, `'${key}' is ${JSON.stringify(l.config[key])}; expected an integer`);
    return v;
  }

  num(l: KerasLayer, key: string, fallback: number): number {
    const v = l.config[key] ?? fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.formatError(l, `'${key}' is ${JSON.stringify(l.config[key])}; expected a number`);
    return v;
  }

  bool(l: KerasLayer, key: string, fallback: boolean): boolean {
    const v = l.config[key] ?? fallback;
    if (typeof v !== 'boolean') this.formatError(l, `'${key}' is ${JSON.stringify(l.config[key])}; expected true or false`);
    return v;
  }

  /** data_format must be channels_last (or absent). */
  channelsLast(l: KerasLayer): void {
    const f = l.config.data_format;
    if (f !== undefined && f !== null && f !== 'channels_last') this.unsupported(l, `data_format '${String(f)}' (only channels_last: sepconv tensors are NHWC)`);
  }

  /** The input must be NHWC (rank 4). */
  nhwc(l: KerasLayer, x: string): number[] {
    const s = this.b.shape(x);
    if (s.length !== 4) this.unsupported(l, `input of shape [${s.join(',')}] (this layer needs a rank-4 NHWC tensor)`);
    return s;
  }

  /** Keras padding 'same' (TF SAME pads) or 'valid'. */
  padding(l: KerasLayer, x: string, k: [number, number], s: [number, number], d: [number, number] = [1, 1]): Pads {
    const p = l.config.padding ?? 'valid';
    const [, H, W] = this.b.shape(x);
    if (p === 'same') return tfSamePads(H, W, k, s, d);
    if (p === 'valid') return [0, 0, 0, 0];
    return this.unsupported(l, `padding '${String(p)}' (supported: 'same', 'valid')`);
  }

  /** Weight `<layer>/<name>` (or a manifest name ending in it), shape-checked when `shape` is given. */
  weight(l: KerasLayer, name: string, shape?: number[]): DecodedWeight {
    const want = `${l.name}/${name}`;
    let w = this.weights.get(want);
    if (!w) {
      if (!this.weightIndex) {
        this.weightIndex = new Map();
        for (const [k, v] of this.weights) this.weightIndex.set(k.replace(/:\d+$/, ''), v);
      }
      w = this.weightIndex.get(want);
      if (!w) {
        const hits = [...this.weightIndex.keys()].filter((k) => k.endsWith(`/${want}`));
        if (hits.length === 1) w = this.weightIndex.get(hits[0]);
      }
    }
    if (!w) {
      const mine = [...this.weights.keys()].filter((k) => k.includes(l.name));
      this.formatError(l, `weight '${want}' is not in the weights manifest${mine.length ? ` (this layer has ${mine.join(', ')})` : ''}`);
    }
    if (w.dtype !== 'float32') this.formatError(l, `weight '${want}' has dtype ${w.dtype}; expected float32`);
    if (shape && (w.shape.length !== shape.length || w.shape.some((v, i) => v !== shape[i]))) {
      this.formatError(l, `weight '${want}' has shape [${w.shape.join(',')}] but the layer config and its input need [${shape.join(',')}]`);
    }
    return w;
  }

  /** An IR constant named after `name` (made unique), holding `data`. */
  /** `affine`: the source weight's uint8 quantization, kept so writers can store it exactly. */
  constant(name: string, shape: number[], data: Float32Array, affine?: { scale: number; min: number }): string {
    return this.b.constant(this.b.freshName(name), shape, data, affine);
  }

  /** The IR constant of a layer's weight under a given transform, made once per layer (shared layers reuse it). */
  cached(l: KerasLayer, key: string, make: () => string): string {
    const k = `${l.name}\u0000${key}`;
    let t = this.constCache.get(k);
    if (!t) {
      t = make();
      this.constCache.set(k, t);
    }
    return t;
  }

  /** The layer's `activation` config as a normalised Keras name (see KERAS_ACTIVATIONS). */
  activationOf(l: KerasLayer, key = 'activation'): string {
    const v = l.config[key];
    if (v === undefined || v === null) return 'linear';
    let name: unknown = v;
    // Keras >= 2.13 / 3 may write {module, class_name: 'function', config: 'relu'} or {class_name: 'ReLU', ...}
    if (typeof v === 'object' && !Array.isArray(v)) {
      const o = v as { class_name?: unknown; config?: unknown };
      name = typeof o.config === 'string' ? o.config : o.class_name;
    }
    if (typeof name !== 'string') this.formatError(l, `'${key}' is ${JSON.stringify(v)}; expected an activation name`);
    const n = snake(name);
    if (n === 'hardswish') return 'hard_swish';
    if (!KERAS_ACTIVATIONS.includes(n)) this.unsupported(l, `activation '${name}' (supported activations: ${KERAS_ACTIVATIONS.join(', ')})`);
    return n;
  }

  /**
   * Emits the layer's main op followed by its activation `act`: an IR activation code is passed to
   * `emit` (fused into the op) and the op gets the layer's name `out`; otherwise the op is
   * `<out>/pre` and the activation nodes follow (see activate).
   */
  withAct(l: KerasLayer, act: string, out: string, emit: (name: string, act: ActName) => string): string {
    const native = NATIVE[act];
    if (native) return emit(out, native);
    const y = emit(this.b.freshName(`${out}/pre`), 'linear');
    return this.activate(l, y, act, out);
  }

  /**
   * Applies a Keras activation to IR tensor x as tensor `out`, with TF.js layers semantics:
   * hard_sigmoid = clip(0.2 x + 0.5, 0, 1) = hsigmoid(1.2 x) (IR hsigmoid is relu6(x + 3) / 6),
   * swish / silu = x * sigmoid(x), hard_swish = x * relu6(x + 3) / 6, softmax over the last axis.
   * 'linear' returns x itself.
   */
  activate(l: KerasLayer, x: string, act: string, out: string): string {
    const b = this.b;
    const native = NATIVE[act];
    if (native === 'linear') return x;
    if (native) return b.node('Activation', out, [x], { act: native })[0];
    switch (act) {
      case 'hard_sigmoid': {
        const C = b.channels(x);
        const k = this.constant(`${out}/scale`, [C], new Float32Array(C).fill(1.2));
        const y = b.node('Mul', b.freshName(`${out}/scaled`), [x, k], { act: 'linear' })[0];
        return b.node('Activation', out, [y], { act: 'hsigmoid' })[0];
      }
      case 'swish':
      case 'silu': {
        const s = b.node('Activation', b.freshName(`${out}/sigmoid`), [x], { act: 'sigmoid' })[0];
        return b.node('Mul', out, [x, s], { act: 'linear' })[0];
      }
      case 'softmax':
        return b.node('Softmax', out, [x], {})[0];
      default:
        return this.unsupported(l, `activation '${act}' (supported activations: ${KERAS_ACTIVATIONS.join(', ')})`);
    }
  }
}
