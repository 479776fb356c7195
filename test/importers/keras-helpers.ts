/**
 * Tiny hand-written TF.js layers models for the layers importer tests, and a straightforward
 * reference evaluation of Keras layers written from the TF / TF.js definitions (loops over NHWC
 * indices; nothing from sepconv's interpreter or kernels).
 */
import type { TfjsLayersModelJson } from '../../src/importers/tfjs/index.js';

export interface T {
  shape: number[];
  data: Float32Array;
}

export interface LayerSpec {
  class_name: string;
  name: string;
  config?: Record<string, unknown>;
  /** names of the layers this one reads (node 0, tensor 0 of each; 'name@k' = call k of a shared layer) */
  in?: string[];
  /** inputs of each call, for a layer called more than once */
  calls?: string[][];
}

const ref = (r: string) => {
  const [name, node] = r.split('@');
  return [name, Number(node ?? 0), 0, {}];
};

/** A functional layers-model.json plus its weight bytes (float32, manifest order). */
export function layersModel(layers: LayerSpec[], weights: [string, T][], inputs: string[], outputs: string[]): { modelJson: TfjsLayersModelJson; weights: Uint8Array } {
  const modelJson = {
    format: 'layers-model',
    modelTopology: {
      model_config: {
        class_name: 'Functional',
        config: {
          name: 'm',
          layers: layers.map((l) => ({
            class_name: l.class_name,
            name: l.name,
            config: { name: l.name, ...l.config },
            inbound_nodes: (l.calls ?? (l.in ? [l.in] : [])).map((c) => c.map(ref)),
          })),
          input_layers: inputs.map((n) => [n, 0, 0]),
          output_layers: outputs.map((n) => ref(n).slice(0, 3)),
        },
      },
    },
    weightsManifest: [{ paths: ['w.bin'], weights: weights.map(([name, t]) => ({ name, shape: t.shape, dtype: 'float32' })) }],
  } as TfjsLayersModelJson;
  const total = weights.reduce((s, [, t]) => s + t.data.length, 0);
  const all = new Float32Array(total);
  let off = 0;
  for (const [, t] of weights) {
    all.set(t.data, off);
    off += t.data.length;
  }
  return { modelJson, weights: new Uint8Array(all.buffer) };
}

export const tensor = (shape: number[], f: (i: number) => number): T => {
  const n = shape.reduce((a, b) => a * b, 1);
  return { shape, data: Float32Array.from({ length: n }, (_, i) => f(i)) };
};

/** TF 'SAME' padding along one axis: [before, outSize]. */
function same(size: number, k: number, s: number, d: number): [number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + (k - 1) * d + 1 - size, 0);
  return [Math.floor(total / 2), out];
}

function geometry(H: number, W: number, k: number[], s: number[], d: number[], padding: string) {
  if (padding === 'same') {
    const [pt, oh] = same(H, k[0], s[0], d[0]);
    const [pl, ow] = same(W, k[1], s[1], d[1]);
    return { pt, pl, oh, ow };
  }
  return { pt: 0, pl: 0, oh: Math.floor((H - (k[0] - 1) * d[0] - 1) / s[0]) + 1, ow: Math.floor((W - (k[1] - 1) * d[1] - 1) / s[1]) + 1 };
}

/** Keras Conv2D: kernel [kh][kw][cin/groups][cout], output channel o in group floor(o / (cout / groups)). */
export function conv2d(x: T, kernel: T, bias: Float32Array | null, s: number[], d: number[], padding: string, groups = 1): T {
  const [N, H, W, C] = x.shape;
  const [kh, kw, cig, co] = kernel.shape;
  const { pt, pl, oh, ow } = geometry(H, W, [kh, kw], s, d, padding);
  const y = tensor([N, oh, ow, co], () => 0);
  const cog = co / groups;
  for (let n = 0; n < N; n++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let o = 0; o < co; o++) {
    const g = Math.floor(o / cog);
    let acc = bias ? bias[o] : 0;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * s[0] - pt + ky * d[0];
      const ix = ox * s[1] - pl + kx * d[1];
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      for (let i = 0; i < cig; i++) acc += x.data[((n * H + iy) * W + ix) * C + g * cig + i] * kernel.data[((ky * kw + kx) * cig + i) * co + o];
    }
    y.data[((n * oh + oy) * ow + ox) * co + o] = acc;
  }
  return y;
}

/** Keras DepthwiseConv2D: depthwise_kernel [kh][kw][C][1]. */
export function depthwise(x: T, kernel: T, bias: Float32Array | null, s: number[], d: number[], padding: string): T {
  const [N, H, W, C] = x.shape;
  const [kh, kw] = kernel.shape;
  const { pt, pl, oh, ow } = geometry(H, W, [kh, kw], s, d, padding);
  const y = tensor([N, oh, ow, C], () => 0);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let c = 0; c < C; c++) {
    let acc = bias ? bias[c] : 0;
    for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
      const iy = oy * s[0] - pt + ky * d[0];
      const ix = ox * s[1] - pl + kx * d[1];
      if (iy >= 0 && iy < H && ix >= 0 && ix < W) acc += x.data[((n * H + iy) * W + ix) * C + c] * kernel.data[(ky * kw + kx) * C + c];
    }
    y.data[((n * oh + oy) * ow + ox) * C + c] = acc;
  }
  return y;
}

/**
 * Keras Conv2DTranspose (tf.nn.conv2d_transpose = the gradient of conv2d): kernel [kh][kw][cout][cin];
 * input pixel i adds x[i] * w[k] to output pixel i * s - pad + k. Output size: same -> in * s,
 * valid -> in * s + max(k - s, 0); pad = TF SAME pad of the forward conv from the output size (valid: 0).
 */
export function conv2dTranspose(x: T, kernel: T, bias: Float32Array | null, s: number[], padding: string): T {
  const [N, H, W, C] = x.shape;
  const [kh, kw, co] = kernel.shape;
  const size = (n: number, k: number, st: number) => (padding === 'same' ? n * st : n * st + Math.max(k - st, 0));
  const [oh, ow] = [size(H, kh, s[0]), size(W, kw, s[1])];
  const pad = (n: number, o: number, k: number, st: number) => (padding === 'same' ? Math.floor(Math.max((n - 1) * st + k - o, 0) / 2) : 0);
  const [pt, pl] = [pad(H, oh, kh, s[0]), pad(W, ow, kw, s[1])];
  const y = tensor([N, oh, ow, co], (i) => (bias ? bias[i % co] : 0));
  for (let n = 0; n < N; n++) for (let iy = 0; iy < H; iy++) for (let ix = 0; ix < W; ix++) for (let ky = 0; ky < kh; ky++) for (let kx = 0; kx < kw; kx++) {
    const oy = iy * s[0] - pt + ky;
    const ox = ix * s[1] - pl + kx;
    if (oy < 0 || oy >= oh || ox < 0 || ox >= ow) continue;
    for (let o = 0; o < co; o++) for (let i = 0; i < C; i++) {
      y.data[((n * oh + oy) * ow + ox) * co + o] += x.data[((n * H + iy) * W + ix) * C + i] * kernel.data[((ky * kw + kx) * co + o) * C + i];
    }
  }
  return y;
}

/** Max / average pooling; TF SAME average pooling divides by the number of in-bounds values. */
export function pool(x: T, kind: 'max' | 'avg', k: number[], s: number[], padding: string): T {
  const [N, H, W, C] = x.shape;
  const { pt, pl, oh, ow } = geometry(H, W, k, s, [1, 1], padding);
  const y = tensor([N, oh, ow, C], () => 0);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let c = 0; c < C; c++) {
    let acc = kind === 'max' ? -Infinity : 0;
    let cnt = 0;
    for (let ky = 0; ky < k[0]; ky++) for (let kx = 0; kx < k[1]; kx++) {
      const iy = oy * s[0] - pt + ky;
      const ix = ox * s[1] - pl + kx;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const v = x.data[((n * H + iy) * W + ix) * C + c];
      acc = kind === 'max' ? Math.max(acc, v) : acc + v;
      cnt++;
    }
    y.data[((n * oh + oy) * ow + ox) * C + c] = kind === 'max' ? acc : acc / cnt;
  }
  return y;
}

/** UpSampling2D: TF.js resizeNearestNeighbor / resizeBilinear, align_corners = half_pixel_centers = false (src = dst * in / out). */
export function upsample(x: T, f: number[], mode: 'nearest' | 'bilinear'): T {
  const [N, H, W, C] = x.shape;
  const [oh, ow] = [H * f[0], W * f[1]];
  const y = tensor([N, oh, ow, C], () => 0);
  const at = (n: number, yy: number, xx: number, c: number) => x.data[((n * H + yy) * W + xx) * C + c];
  for (let n = 0; n < N; n++) for (let oy = 0; oy < oh; oy++) for (let ox = 0; ox < ow; ox++) for (let c = 0; c < C; c++) {
    const sy = (oy * H) / oh;
    const sx = (ox * W) / ow;
    let v: number;
    if (mode === 'nearest') v = at(n, Math.min(H - 1, Math.floor(sy)), Math.min(W - 1, Math.floor(sx)), c);
    else {
      const [y0, x0] = [Math.floor(sy), Math.floor(sx)];
      const [y1, x1] = [Math.min(y0 + 1, H - 1), Math.min(x0 + 1, W - 1)];
      const [fy, fx] = [sy - y0, sx - x0];
      const top = at(n, y0, x0, c) + (at(n, y0, x1, c) - at(n, y0, x0, c)) * fx;
      const bot = at(n, y1, x0, c) + (at(n, y1, x1, c) - at(n, y1, x0, c)) * fx;
      v = top + (bot - top) * fy;
    }
    y.data[((n * oh + oy) * ow + ox) * C + c] = v;
  }
  return y;
}

export const map = (x: T, f: (v: number, i: number) => number): T => ({ shape: [...x.shape], data: x.data.map(f) });
/** TF.js hardSigmoid: clip(0.2 x + 0.5, 0, 1). */
export const hardSigmoid = (v: number): number => Math.min(1, Math.max(0, 0.2 * v + 0.5));
export const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
export const swish = (v: number): number => v * sigmoid(v);
export const relu6 = (v: number): number => Math.min(6, Math.max(0, v));

/** Concatenation on the last axis. */
export function concat(xs: T[]): T {
  const lead = xs[0].shape.slice(0, -1);
  const Cs = xs.map((x) => x.shape[x.shape.length - 1]);
  const C = Cs.reduce((a, b) => a + b, 0);
  const rows = lead.reduce((a, b) => a * b, 1);
  const y = tensor([...lead, C], () => 0);
  for (let r = 0; r < rows; r++) {
    let off = 0;
    xs.forEach((x, j) => {
      for (let c = 0; c < Cs[j]; c++) y.data[r * C + off + c] = x.data[r * Cs[j] + c];
      off += Cs[j];
    });
  }
  return y;
}

/** Mean over H and W: [N,H,W,C] -> [N,C]. */
export function globalAvg(x: T): T {
  const [N, H, W, C] = x.shape;
  const y = tensor([N, C], () => 0);
  for (let n = 0; n < N; n++) for (let p = 0; p < H * W; p++) for (let c = 0; c < C; c++) y.data[n * C + c] += x.data[(n * H * W + p) * C + c] / (H * W);
  return y;
}

/** x * g with g [N,1,1,C] broadcast over H, W. */
export function gate(x: T, g: T): T {
  const C = x.shape[3];
  const HW = x.shape[1] * x.shape[2];
  return map(x, (v, i) => v * g.data[Math.floor(i / (HW * C)) * C + (i % C)]);
}

/** Keras Dense: kernel [K][units]. */
export function dense(x: T, kernel: T, bias: Float32Array | null): T {
  const [N, K] = x.shape;
  const U = kernel.shape[1];
  const y = tensor([N, U], (i) => (bias ? bias[i % U] : 0));
  for (let n = 0; n < N; n++) for (let u = 0; u < U; u++) for (let k = 0; k < K; k++) y.data[n * U + u] += x.data[n * K + k] * kernel.data[k * U + u];
  return y;
}

export function batchNorm(x: T, gamma: Float32Array, beta: Float32Array, mean: Float32Array, variance: Float32Array, eps: number): T {
  const C = x.shape[x.shape.length - 1];
  return map(x, (v, i) => {
    const c = i % C;
    return ((v - mean[c]) / Math.sqrt(variance[c] + eps)) * gamma[c] + beta[c];
  });
}

export function softmax(x: T): T {
  const C = x.shape[x.shape.length - 1];
  const y = map(x, (v) => v);
  for (let r = 0; r < x.data.length; r += C) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x.data[r + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x.data[r + c] - m);
    for (let c = 0; c < C; c++) y.data[r + c] = Math.exp(x.data[r + c] - m) / s;
  }
  return y;
}
