import type { BinaryOpType, Pads } from '../../graph/ir.js';
import type { KerasConverter } from './keras-converter.js';
import type { KerasLayer } from './keras-topology.js';

/** Keras layers without weights (PReLU aside): activations, padding, merges, pooling, shape layers, identities. */

const IDENTITY = new Set(['Dropout', 'SpatialDropout2D', 'GaussianNoise', 'GaussianDropout']);
const MERGE: Record<string, BinaryOpType> = { Add: 'Add', Subtract: 'Sub', Multiply: 'Mul', Maximum: 'Max', Minimum: 'Min', Average: 'Add' };

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
/** b broadcasts onto a under the IR binary-op rule (b = [N,1,1,C] for a 4-D a). */
const gate = (a: readonly number[], b: readonly number[]) => a.length === 4 && b.length === 4 && b[0] === a[0] && b[1] === 1 && b[2] === 1 && b[3] === a[3];

/** Converts one call of a weightless layer; undefined when the class is not one of these. */
export function convertMiscLayer(cv: KerasConverter, l: KerasLayer, xs: string[], out: string): string | undefined {
  const b = cv.b;
  const x = xs[0];
  const cls = l.class_name;
  if (IDENTITY.has(cls)) return x;
  if (cls in MERGE) return merge(cv, l, xs, out);
  switch (cls) {
    case 'Activation':
      return cv.activate(l, x, cv.activationOf(l), out);
    case 'ReLU': {
      const max = l.config.max_value;
      const slope = l.config.negative_slope ?? 0;
      const threshold = l.config.threshold ?? 0;
      if (slope !== 0) cv.unsupported(l, `negative_slope ${JSON.stringify(slope)} (only 0; use LeakyReLU)`);
      if (threshold !== 0) cv.unsupported(l, `threshold ${JSON.stringify(threshold)} (only 0)`);
      if (max === undefined || max === null) return cv.activate(l, x, 'relu', out);
      if (max === 6) return cv.activate(l, x, 'relu6', out);
      return cv.unsupported(l, `max_value ${JSON.stringify(max)} (supported: none -> relu, 6 -> relu6)`);
    }
    case 'LeakyReLU': {
      const alpha = cv.num(l, 'alpha', typeof l.config.negative_slope === 'number' ? l.config.negative_slope : 0.3);
      const C = b.channels(x);
      const s = cv.constant(`${out}/alpha`, [C], new Float32Array(C).fill(alpha));
      return b.node('Prelu', out, [x, s], { act: 'linear' })[0];
    }
    case 'PReLU': {
      const xsh = b.shape(x);
      const C = xsh[xsh.length - 1];
      const a = cv.weight(l, 'alpha');
      // alpha is [H, W, C] with shared_axes collapsed to 1; the IR takes one slope per channel
      if (a.data.length !== C && a.data.length !== 1) cv.unsupported(l, `alpha of shape [${a.shape.join(',')}] (only per-channel slopes: shared_axes [1, 2])`);
      const s = cv.cached(l, 'alpha', () => cv.constant(`${l.name}/alpha`, [C], a.data.length === 1 ? new Float32Array(C).fill(a.data[0]) : Float32Array.from(a.data)));
      return b.node('Prelu', out, [x, s], { act: 'linear' })[0];
    }
    case 'ELU': {
      const alpha = cv.num(l, 'alpha', 1);
      if (alpha !== 1) cv.unsupported(l, `alpha ${alpha} (only 1)`);
      return cv.activate(l, x, 'elu', out);
    }
    case 'Softmax': {
      const axis = l.config.axis ?? -1;
      const rank = b.shape(x).length;
      if (axis !== -1 && axis !== rank - 1) cv.unsupported(l, `axis ${JSON.stringify(axis)} (only the last axis)`);
      return b.node('Softmax', out, [x], {})[0];
    }
    case 'ZeroPadding2D': {
      cv.channelsLast(l);
      cv.nhwc(l, x);
      const p = l.config.padding ?? 1;
      const int = (v: unknown): number => {
        if (!Number.isInteger(v) || (v as number) < 0) cv.formatError(l, `padding ${JSON.stringify(p)} is not an int, a pair or a pair of pairs of non-negative integers`);
        return v as number;
      };
      let pads: Pads;
      if (typeof p === 'number') pads = [int(p), int(p), int(p), int(p)];
      else if (Array.isArray(p) && p.length === 2 && p.every((q) => typeof q === 'number')) pads = [int(p[0]), int(p[1]), int(p[0]), int(p[1])];
      else if (Array.isArray(p) && p.length === 2 && p.every((q) => Array.isArray(q) && q.length === 2)) pads = [int(p[0][0]), int(p[1][0]), int(p[0][1]), int(p[1][1])];
      else return cv.formatError(l, `padding ${JSON.stringify(p)} is not an int, a pair or a pair of pairs of non-negative integers`);
      return b.node('Pad', out, [x], { pads })[0];
    }
    case 'Concatenate': {
      const rank = b.shape(x).length;
      const axis = l.config.axis ?? -1;
      if (axis !== -1 && axis !== rank - 1) cv.unsupported(l, `axis ${JSON.stringify(axis)} (only the last, channel axis)`);
      if (xs.length < 1) cv.formatError(l, 'has no inputs');
      return b.node('Concat', out, xs, {})[0];
    }
    case 'GlobalAveragePooling2D':
    case 'GlobalMaxPooling2D': {
      cv.channelsLast(l);
      const [, H, W] = cv.nhwc(l, x);
      const keep = cv.bool(l, 'keepdims', false);
      const name = keep ? out : b.freshName(`${out}/pool`);
      const g = cls === 'GlobalAveragePooling2D'
        ? b.node('GlobalAvgPool', name, [x], {})[0]
        : b.node('MaxPool', name, [x], { kernel: [H, W], strides: [1, 1], pads: [0, 0, 0, 0] })[0];
      return keep ? g : b.node('Flatten', out, [g], {})[0];
    }
    case 'AveragePooling2D':
    case 'MaxPooling2D': {
      cv.channelsLast(l);
      const [, H, W] = cv.nhwc(l, x);
      const k = cv.pair(l, 'pool_size', [2, 2]);
      const s = cv.pair(l, 'strides', k);
      const pads = cv.padding(l, x, k, s);
      if (cls === 'MaxPooling2D') return b.node('MaxPool', out, [x], { kernel: k, strides: s, pads })[0];
      // TF SAME average pooling leaves the padding out of the count
      if (k[0] === H && k[1] === W && pads.every((q) => q === 0)) return b.node('GlobalAvgPool', out, [x], {})[0];
      return b.node('AvgPool', out, [x], { kernel: k, strides: s, pads, countIncludePad: false })[0];
    }
    case 'Flatten': {
      cv.channelsLast(l);
      return b.node('Flatten', out, [x], {})[0];
    }
    case 'Reshape': {
      const xsh = b.shape(x);
      const target = l.config.target_shape;
      if (!Array.isArray(target) || !target.every((d) => d === -1 || (Number.isInteger(d) && d >= 1)) || target.filter((d) => d === -1).length > 1) {
        cv.formatError(l, `target_shape ${JSON.stringify(target)} is not a list of positive integers with at most one -1`);
      }
      const n = xsh.slice(1).reduce((p, q) => p * q, 1);
      const known = (target as number[]).filter((d) => d !== -1).reduce((p, q) => p * q, 1);
      const shape = [xsh[0], ...(target as number[]).map((d) => (d === -1 ? n / known : d))];
      if (!shape.every((d) => Number.isInteger(d) && d >= 1) || shape.slice(1).reduce((p, q) => p * q, 1) !== n) {
        cv.formatError(l, `cannot reshape [${xsh.join(',')}] to target_shape ${JSON.stringify(target)}`);
      }
      if (shape.length > 4) cv.unsupported(l, `target_shape ${JSON.stringify(target)} (sepconv tensors have rank 1 to 4)`);
      return b.node('Reshape', out, [x], { shape })[0];
    }
    case 'UpSampling2D': {
      cv.channelsLast(l);
      const [, H, W] = cv.nhwc(l, x);
      const [sh, sw] = cv.pair(l, 'size', [2, 2]);
      const interp = l.config.interpolation ?? 'nearest';
      if (interp !== 'nearest' && interp !== 'bilinear') cv.unsupported(l, `interpolation '${String(interp)}' (supported: nearest, bilinear)`);
      // TF.js resizes with align_corners = false, half_pixel_centers = false: the IR 'legacy' coordinates
      return b.node('Resize', out, [x], { size: [H * sh, W * sw], mode: interp, coord: 'legacy' })[0];
    }
    default:
      return undefined;
  }
}

/** Add / Subtract / Multiply / Maximum / Minimum / Average of n inputs (equal shapes, or [N,1,1,C] onto NHWC). */
function merge(cv: KerasConverter, l: KerasLayer, xs: string[], out: string): string {
  const b = cv.b;
  const op = MERGE[l.class_name];
  if (xs.length < 2) cv.formatError(l, `has ${xs.length} input(s); merge layers need at least 2`);
  if (l.class_name === 'Subtract' && xs.length !== 2) cv.formatError(l, `has ${xs.length} inputs; Subtract takes exactly 2`);
  const average = l.class_name === 'Average';
  let acc = xs[0];
  for (let i = 1; i < xs.length; i++) {
    let [a, c] = [acc, xs[i]];
    const [sa, sc] = [b.shape(a), b.shape(c)];
    if (!same(sa, sc) && !gate(sa, sc)) {
      if (gate(sc, sa) && op !== 'Sub') [a, c] = [c, a];
      else cv.unsupported(l, `inputs of shapes [${sa.join(',')}] and [${sc.join(',')}] (supported: equal shapes, or [N,1,1,C] broadcast onto [N,H,W,C]${op === 'Sub' ? ' as the second input' : ''})`);
    }
    const last = i === xs.length - 1 && !average;
    acc = b.node(op, last ? out : b.freshName(`${out}/${i}`), [a, c], { act: 'linear' })[0];
  }
  if (average) {
    const C = b.channels(acc);
    const k = cv.constant(`${out}/scale`, [C], new Float32Array(C).fill(1 / xs.length));
    acc = b.node('Mul', out, [acc, k], { act: 'linear' })[0];
  }
  return acc;
}
