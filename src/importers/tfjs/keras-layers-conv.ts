import type { KerasConverter } from './keras-converter.js';
import type { KerasLayer } from './keras-topology.js';

/**
 * Keras layers with weights: convolutions, Dense, BatchNormalization. Keras kernels are HWIO
 * ([kh][kw][cin][cout]); the IR wants Conv2D [cout][kh][kw][cin/groups], DepthwiseConv2D [kh][kw][C],
 * ConvTranspose2D [cout][kh][kw][cin] (Keras Conv2DTranspose keeps [kh][kw][cout][cin]) and
 * FullyConnected [n][k] (Keras Dense [k][n]).
 */
export const CONV_LAYERS = ['Conv2D', 'Convolution2D', 'DepthwiseConv2D', 'SeparableConv2D', 'SeparableConvolution2D', 'Conv2DTranspose', 'Deconvolution2D', 'Dense', 'BatchNormalization'] as const;

/** [kh][kw][ci][co] -> [co][kh][kw][ci] */
function hwioToOhwi(src: Float32Array | Int32Array, kh: number, kw: number, ci: number, co: number): Float32Array {
  const w = new Float32Array(src.length);
  for (let y = 0; y < kh; y++) for (let x = 0; x < kw; x++) for (let i = 0; i < ci; i++) for (let o = 0; o < co; o++) {
    w[((o * kh + y) * kw + x) * ci + i] = src[((y * kw + x) * ci + i) * co + o];
  }
  return w;
}

function bias(cv: KerasConverter, l: KerasLayer, n: number): string[] {
  if (!cv.bool(l, 'use_bias', true)) return [];
  return [cv.cached(l, 'bias', () => cv.constant(`${l.name}/bias`, [n], Float32Array.from(cv.weight(l, 'bias', [n]).data)))];
}

/** Kernel size, strides and dilation of a conv layer; dilation together with stride > 1 is unsupported (as in Keras). */
function geometry(cv: KerasConverter, l: KerasLayer) {
  cv.channelsLast(l);
  const k = cv.pair(l, 'kernel_size');
  const s = cv.pair(l, 'strides', [1, 1]);
  const d = cv.pair(l, 'dilation_rate', [1, 1]);
  if ((d[0] > 1 || d[1] > 1) && (s[0] > 1 || s[1] > 1)) cv.unsupported(l, `dilation_rate [${d.join(',')}] with strides [${s.join(',')}] (dilation needs stride 1)`);
  return { k, s, d };
}

function depthMultiplier(cv: KerasConverter, l: KerasLayer): void {
  const dm = cv.int(l, 'depth_multiplier', 1);
  if (dm !== 1) cv.unsupported(l, `depth_multiplier ${dm} (only 1)`);
}

/** Converts one call of a conv-family layer; returns the output IR tensor (named `out` unless an identity). */
export function convertConvLayer(cv: KerasConverter, l: KerasLayer, xs: string[], out: string): string | undefined {
  const b = cv.b;
  const x = xs[0];
  switch (l.class_name) {
    case 'Conv2D':
    case 'Convolution2D': {
      const { k, s, d } = geometry(cv, l);
      const [, , , cin] = cv.nhwc(l, x);
      const filters = cv.int(l, 'filters');
      const groups = cv.int(l, 'groups', 1);
      if (groups < 1 || cin % groups !== 0 || filters % groups !== 0) cv.formatError(l, `groups ${groups} does not divide the ${cin} input channels and ${filters} filters`);
      const ci = cin / groups;
      const w = cv.cached(l, 'kernel', () => {
        const f = cv.weight(l, 'kernel', [k[0], k[1], ci, filters]);
        return cv.constant(`${l.name}/weight`, [filters, k[0], k[1], ci], hwioToOhwi(f.data, k[0], k[1], ci, filters), f.affine);
      });
      const inputs = [x, w, ...bias(cv, l, filters)];
      const pads = cv.padding(l, x, k, s, d);
      return cv.withAct(l, cv.activationOf(l), out, (name, act) =>
        b.node('Conv2D', name, inputs, { kernel: k, strides: s, dilations: d, pads, groups, act })[0]);
    }
    case 'DepthwiseConv2D': {
      const { k, s, d } = geometry(cv, l);
      depthMultiplier(cv, l);
      const [, , , C] = cv.nhwc(l, x);
      const w = cv.cached(l, 'depthwise_kernel', () =>
        ((f) => cv.constant(`${l.name}/weight`, [k[0], k[1], C], Float32Array.from(f.data), f.affine))(cv.weight(l, 'depthwise_kernel', [k[0], k[1], C, 1])));
      const inputs = [x, w, ...bias(cv, l, C)];
      const pads = cv.padding(l, x, k, s, d);
      return cv.withAct(l, cv.activationOf(l), out, (name, act) =>
        b.node('DepthwiseConv2D', name, inputs, { kernel: k, strides: s, dilations: d, pads, act })[0]);
    }
    case 'SeparableConv2D':
    case 'SeparableConvolution2D': {
      // depthwise (strides, dilation, padding) then a 1x1 pointwise conv with the bias and activation
      const { k, s, d } = geometry(cv, l);
      depthMultiplier(cv, l);
      const [, , , C] = cv.nhwc(l, x);
      const filters = cv.int(l, 'filters');
      const dw = cv.cached(l, 'depthwise_kernel', () =>
        ((f) => cv.constant(`${l.name}/depthwise_weight`, [k[0], k[1], C], Float32Array.from(f.data), f.affine))(cv.weight(l, 'depthwise_kernel', [k[0], k[1], C, 1])));
      const pw = cv.cached(l, 'pointwise_kernel', () => {
        const f = cv.weight(l, 'pointwise_kernel', [1, 1, C, filters]);
        return cv.constant(`${l.name}/pointwise_weight`, [filters, 1, 1, C], hwioToOhwi(f.data, 1, 1, C, filters), f.affine);
      });
      const pads = cv.padding(l, x, k, s, d);
      const y = b.node('DepthwiseConv2D', b.freshName(`${out}/depthwise`), [x, dw], { kernel: k, strides: s, dilations: d, pads, act: 'linear' })[0];
      const inputs = [y, pw, ...bias(cv, l, filters)];
      return cv.withAct(l, cv.activationOf(l), out, (name, act) =>
        b.node('Conv2D', name, inputs, { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, act })[0]);
    }
    case 'Conv2DTranspose':
    case 'Deconvolution2D': {
      const { k, s, d } = geometry(cv, l);
      if (d[0] !== 1 || d[1] !== 1) cv.unsupported(l, `dilation_rate [${d.join(',')}] (transposed convolution supports dilation 1)`);
      if (l.config.output_padding !== undefined && l.config.output_padding !== null) cv.unsupported(l, `output_padding ${JSON.stringify(l.config.output_padding)} (only null)`);
      const [, H, W, cin] = cv.nhwc(l, x);
      const filters = cv.int(l, 'filters');
      const padding = l.config.padding ?? 'valid';
      if (padding !== 'same' && padding !== 'valid') cv.unsupported(l, `padding '${String(padding)}' (supported: 'same', 'valid')`);
      // TF.js deconvLength: same -> in * s; valid -> in * s + max(k - s, 0). Pads: TF's SAME rule for the
      // forward conv the transpose inverts (total = (in - 1) * s + k - out, split floor / ceil); none for valid.
      const size = (n: number, kk: number, ss: number) => (padding === 'same' ? n * ss : n * ss + Math.max(kk - ss, 0));
      const outSize: [number, number] = [size(H, k[0], s[0]), size(W, k[1], s[1])];
      const split = (n: number, o: number, kk: number, ss: number): [number, number] => {
        const total = padding === 'same' ? Math.max((n - 1) * ss + kk - o, 0) : 0;
        return [Math.floor(total / 2), total - Math.floor(total / 2)];
      };
      const [pt, pb] = split(H, outSize[0], k[0], s[0]);
      const [pl, pr] = split(W, outSize[1], k[1], s[1]);
      const w = cv.cached(l, 'kernel', () => {
        const f = cv.weight(l, 'kernel', [k[0], k[1], filters, cin]);
        // [kh][kw][co][ci] -> [co][kh][kw][ci] (no spatial flip: both are the scatter form y[i*s - p + k] += w[k] x[i])
        const t = new Float32Array(f.data.length);
        for (let y = 0; y < k[0]; y++) for (let xx = 0; xx < k[1]; xx++) for (let o = 0; o < filters; o++) for (let i = 0; i < cin; i++) {
          t[((o * k[0] + y) * k[1] + xx) * cin + i] = f.data[((y * k[1] + xx) * filters + o) * cin + i];
        }
        return cv.constant(`${l.name}/weight`, [filters, k[0], k[1], cin], t, f.affine);
      });
      const inputs = [x, w, ...bias(cv, l, filters)];
      return cv.withAct(l, cv.activationOf(l), out, (name, act) =>
        b.node('ConvTranspose2D', name, inputs, { kernel: k, strides: s, pads: [pt, pl, pb, pr], act, outputSize: outSize })[0]);
    }
    case 'Dense': {
      const xsh = b.shape(x);
      const K = xsh[xsh.length - 1];
      const units = cv.int(l, 'units');
      const f = () => cv.weight(l, 'kernel', [K, units]);
      const act = cv.activationOf(l);
      if (xsh.length === 2) {
        const w = cv.cached(l, 'kernel', () => cv.constant(`${l.name}/weight`, [units, K], hwioToOhwi(f().data, 1, 1, K, units), f().affine));
        const inputs = [x, w, ...bias(cv, l, units)];
        return cv.withAct(l, act, out, (name, a) => b.node('FullyConnected', name, inputs, { act: a })[0]);
      }
      if (xsh.length === 4) {
        // Dense on NHWC acts on the channel axis: a 1x1 convolution
        const w = cv.cached(l, 'kernel4', () => cv.constant(`${l.name}/weight`, [units, 1, 1, K], hwioToOhwi(f().data, 1, 1, K, units), f().affine));
        const inputs = [x, w, ...bias(cv, l, units)];
        return cv.withAct(l, act, out, (name, a) =>
          b.node('Conv2D', name, inputs, { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, act: a })[0]);
      }
      return cv.unsupported(l, `input of shape [${xsh.join(',')}] (Dense needs [N, K] or NHWC)`);
    }
    case 'BatchNormalization': {
      const xsh = b.shape(x);
      const axes = Array.isArray(l.config.axis) ? l.config.axis : [l.config.axis ?? -1];
      if (axes.length !== 1 || (axes[0] !== -1 && axes[0] !== xsh.length - 1)) cv.unsupported(l, `axis ${JSON.stringify(l.config.axis)} (only the last, channel axis)`);
      const C = xsh[xsh.length - 1];
      const eps = cv.num(l, 'epsilon', 1e-3);
      const param = (key: string, on: boolean, fill: number) =>
        cv.cached(l, key, () => cv.constant(`${l.name}/${key}`, [C], on ? Float32Array.from(cv.weight(l, key, [C]).data) : new Float32Array(C).fill(fill)));
      const gamma = param('gamma', cv.bool(l, 'scale', true), 1);
      const beta = param('beta', cv.bool(l, 'center', true), 0);
      const mean = param('moving_mean', true, 0);
      const variance = param('moving_variance', true, 1);
      return b.node('BatchNorm', out, [x, gamma, beta, mean, variance], { epsilon: eps })[0];
    }
    default:
      return undefined;
  }
}
