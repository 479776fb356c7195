/**
 * Helpers for test/importers/tfjs-ops.test.ts: a tiny TF.js graph-model writer (model.json +
 * weight bytes, spelled like real TF.js exports) and an independent, deliberately naive
 * evaluator of the TF ops (plain loops over row-major NHWC float64 arrays, TensorFlow
 * semantics). Nothing here uses sepconv's importer, interpreter or kernels.
 */
import { mulberry32 } from '../../src/util/random.js';

// ---------------------------------------------------------------------------------------------
// TF.js graph-model writer
// ---------------------------------------------------------------------------------------------

const enc = (s: string): string => Buffer.from(s, 'latin1').toString('base64');

/** NodeDef attribute spellings as TF.js model.json writes them. */
export const A = {
  s: (v: string) => ({ s: enc(v) }),
  i: (v: number) => ({ i: String(v) }),
  f: (v: number) => ({ f: v }),
  b: (v: boolean) => ({ b: v }),
  type: (v: 'DT_FLOAT' | 'DT_INT32') => ({ type: v }),
  ints: (v: number[]) => ({ list: { i: v.map(String) } }),
  strs: (v: string[]) => ({ list: { s: v.map(enc) } }),
  T: { type: 'DT_FLOAT' },
};

export interface TfNodeJson {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

export interface Built {
  modelJson: { format: string; generatedBy: string; convertedBy: string; modelTopology: { node: TfNodeJson[]; library: object; versions: object }; weightsManifest: { paths: string[]; weights: { name: string; shape: number[]; dtype: string; quantization?: object }[] }[] };
  weights: Uint8Array;
}

/** float32 -> IEEE half bits, round to nearest even (normal halves and zero only: enough for test constants). */
export function toHalfBits(v: number): number {
  const u = new Uint32Array(Float32Array.of(v).buffer)[0];
  const sign = (u >>> 16) & 0x8000;
  if ((u & 0x7fffffff) === 0) return sign;
  let exp = ((u >>> 23) & 0xff) - 127 + 15;
  if (exp <= 0 || exp >= 31) throw new Error(`test bug: ${v} is not a normal float16`);
  let m = (u & 0x7fffff) >>> 13;
  const rest = u & 0x1fff;
  if (rest > 0x1000 || (rest === 0x1000 && (m & 1) === 1)) {
    m++;
    if (m === 0x400) {
      m = 0;
      exp++;
    }
  }
  return sign | (exp << 10) | m;
}

/** IEEE half bits -> number (normal halves and zero). */
export function fromHalfBits(h: number): number {
  const s = h & 0x8000 ? -1 : 1;
  const e = (h >>> 10) & 0x1f;
  const m = h & 0x3ff;
  return e === 0 && m === 0 ? s * 0 : s * 2 ** (e - 15) * (1 + m / 1024);
}

/** The value a float16-quantized TF.js weight decodes to. */
export const asHalf = (v: number): number => fromHalfBits(toHalfBits(v));

type WDtype = 'float32' | 'int32' | 'float16';

export class TfModel {
  readonly nodes: TfNodeJson[] = [];
  private readonly ws: { name: string; shape: number[]; dtype: WDtype; data: ArrayLike<number> }[] = [];

  /** A Placeholder (float32 NHWC or [N, K]). */
  input(name: string, shape: number[]): string {
    this.nodes.push({
      name, op: 'Placeholder',
      attr: { shape: { shape: { dim: shape.map((d) => ({ size: String(d) })) } }, dtype: A.type('DT_FLOAT') },
    });
    return name;
  }

  /**
   * A Const whose value lives in the weights manifest. 'float16': a float32 weight stored
   * float16-quantized (quantization: { dtype: 'float16' }), as `tensorflowjs_converter --quantize_float16` writes it.
   */
  const(name: string, shape: number[], data: ArrayLike<number>, dtype: WDtype = 'float32'): string {
    const n = shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) throw new Error(`test bug: const ${name} has ${data.length} values for shape [${shape}]`);
    const dt = dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    this.nodes.push({
      name, op: 'Const',
      attr: { value: { tensor: { dtype: dt, tensorShape: shape.length ? { dim: shape.map((d) => ({ size: String(d) })) } : {} } }, dtype: A.type(dt) },
    });
    this.ws.push({ name, shape, dtype, data });
    return name;
  }

  /** int32 constant (shapes, axes, paddings). A scalar when `shape` is []. */
  ints(name: string, values: number[], shape: number[] = [values.length]): string {
    return this.const(name, shape, values, 'int32');
  }

  node(name: string, op: string, input: string[], attr: Record<string, unknown> = {}): string {
    this.nodes.push({ name, op, input, attr: { T: A.T, ...attr } });
    return name;
  }

  build(): Built {
    const chunks = this.ws.map((w) => {
      const a = w.dtype === 'int32' ? Int32Array.from(w.data) : w.dtype === 'float16' ? Uint16Array.from(w.data, toHalfBits) : Float32Array.from(w.data);
      return new Uint8Array(a.buffer);
    });
    const total = chunks.reduce((s, c) => s + c.length, 0);
    const bytes = new Uint8Array(total);
    let o = 0;
    for (const c of chunks) {
      bytes.set(c, o);
      o += c.length;
    }
    // JSON round trip: the importer sees exactly what a model.json file would hold.
    const modelJson = JSON.parse(JSON.stringify({
      format: 'graph-model',
      generatedBy: '2.15.0',
      convertedBy: 'TensorFlow.js Converter v4.22.0',
      modelTopology: { node: this.nodes, library: {}, versions: { producer: 1645 } },
      weightsManifest: [{ paths: ['group1-shard1of1.bin'], weights: this.ws.map((w) => (w.dtype === 'float16'
        ? { name: w.name, shape: w.shape, dtype: 'float32', quantization: { dtype: 'float16', original_dtype: 'float32' } }
        : { name: w.name, shape: w.shape, dtype: w.dtype })) }],
    }));
    return { modelJson, weights: bytes };
  }
}

// ---------------------------------------------------------------------------------------------
// Reference evaluator (float64, row-major, TensorFlow semantics)
// ---------------------------------------------------------------------------------------------

export interface Ten {
  shape: number[];
  data: Float64Array;
}

export const numel = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);
export const ten = (shape: number[], data: ArrayLike<number>): Ten => {
  if (data.length !== numel(shape)) throw new Error(`test bug: ${data.length} values for shape [${shape}]`);
  return { shape: [...shape], data: Float64Array.from(data) };
};
const strides = (s: readonly number[]): number[] => {
  const r = new Array<number>(s.length);
  let acc = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    r[i] = acc;
    acc *= s[i];
  }
  return r;
};
const unravel = (i: number, s: readonly number[]): number[] => {
  const idx = new Array<number>(s.length);
  for (let d = s.length - 1; d >= 0; d--) {
    idx[d] = i % s[d];
    i = Math.floor(i / s[d]);
  }
  return idx;
};
const ravel = (idx: readonly number[], s: readonly number[]): number => {
  let o = 0;
  for (let d = 0; d < s.length; d++) o = o * s[d] + idx[d];
  return o;
};

/** Seeded random tensor data (float32 values, so the reference sees what the model sees). */
export function rand(seed: number) {
  const r = mulberry32(seed);
  return (n: number, lo = -1, hi = 1): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i++) a[i] = lo + (hi - lo) * r();
    return a;
  };
}

// --- padding -------------------------------------------------------------------------------

/** TF output size and leading pad of one spatial axis. */
export function tfPad(inSize: number, k: number, s: number, d: number, padding: 'SAME' | 'VALID'): { out: number; before: number } {
  const eff = (k - 1) * d + 1;
  if (padding === 'VALID') return { out: Math.ceil((inSize - eff + 1) / s), before: 0 };
  const out = Math.ceil(inSize / s);
  const total = Math.max((out - 1) * s + eff - inSize, 0);
  return { out, before: Math.floor(total / 2) };
}

// --- convolutions --------------------------------------------------------------------------

/** tf.nn.conv2d, NHWC x, HWIO filter; grouped when the filter has fewer input channels than x. */
export function conv2d(x: Ten, f: Ten, st: [number, number], padding: 'SAME' | 'VALID', dil: [number, number] = [1, 1]): Ten {
  const [N, H, W, C] = x.shape;
  const [KH, KW, CIG, CO] = f.shape;
  const groups = C / CIG;
  if (!Number.isInteger(groups) || CO % groups !== 0) throw new Error('test bug: bad groups');
  const coPerG = CO / groups;
  const ph = tfPad(H, KH, st[0], dil[0], padding);
  const pw = tfPad(W, KW, st[1], dil[1], padding);
  const OH = ph.out;
  const OW = pw.out;
  const y = new Float64Array(N * OH * OW * CO);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let o = 0; o < CO; o++) {
    const g = Math.floor(o / coPerG);
    let acc = 0;
    for (let ky = 0; ky < KH; ky++) {
      const iy = oy * st[0] - ph.before + ky * dil[0];
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < KW; kx++) {
        const ix = ox * st[1] - pw.before + kx * dil[1];
        if (ix < 0 || ix >= W) continue;
        for (let i = 0; i < CIG; i++) acc += x.data[((n * H + iy) * W + ix) * C + g * CIG + i] * f.data[((ky * KW + kx) * CIG + i) * CO + o];
      }
    }
    y[((n * OH + oy) * OW + ox) * CO + o] = acc;
  }
  return { shape: [N, OH, OW, CO], data: y };
}

/** tf.nn.depthwise_conv2d, filter [kh, kw, C, multiplier]; output channel c * M + m. */
export function depthwise(x: Ten, f: Ten, st: [number, number], padding: 'SAME' | 'VALID', dil: [number, number] = [1, 1]): Ten {
  const [N, H, W, C] = x.shape;
  const [KH, KW, FC, M] = f.shape;
  if (FC !== C) throw new Error('test bug: depthwise channels');
  const ph = tfPad(H, KH, st[0], dil[0], padding);
  const pw = tfPad(W, KW, st[1], dil[1], padding);
  const [OH, OW, CO] = [ph.out, pw.out, C * M];
  const y = new Float64Array(N * OH * OW * CO);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < C; c++) for (let m = 0; m < M; m++) {
    let acc = 0;
    for (let ky = 0; ky < KH; ky++) {
      const iy = oy * st[0] - ph.before + ky * dil[0];
      if (iy < 0 || iy >= H) continue;
      for (let kx = 0; kx < KW; kx++) {
        const ix = ox * st[1] - pw.before + kx * dil[1];
        if (ix < 0 || ix >= W) continue;
        acc += x.data[((n * H + iy) * W + ix) * C + c] * f.data[((ky * KW + kx) * C + c) * M + m];
      }
    }
    y[((n * OH + oy) * OW + ox) * CO + c * M + m] = acc;
  }
  return { shape: [N, OH, OW, CO], data: y };
}

/**
 * tf.nn.conv2d_transpose (Conv2DBackpropInput): the gradient of a forward conv from an
 * [N, outH, outW, C] image to x; filter [kh, kw, C (out), CI (x channels)].
 */
export function conv2dTranspose(x: Ten, f: Ten, out: [number, number, number, number], st: [number, number], padding: 'SAME' | 'VALID'): Ten {
  const [N, H, W, CI] = x.shape;
  const [KH, KW, C, FCI] = f.shape;
  if (FCI !== CI || out[3] !== C) throw new Error('test bug: deconv channels');
  const [, OH, OW] = out;
  const ph = tfPad(OH, KH, st[0], 1, padding);
  const pw = tfPad(OW, KW, st[1], 1, padding);
  if (ph.out !== H || pw.out !== W) throw new Error('test bug: deconv sizes');
  const y = new Float64Array(N * OH * OW * C);
  for (let n = 0; n < N; n++) for (let iy = 0; iy < H; iy++) for (let ix = 0; ix < W; ix++) for (let ky = 0; ky < KH; ky++) for (let kx = 0; kx < KW; kx++) {
    const oy = iy * st[0] - ph.before + ky;
    const ox = ix * st[1] - pw.before + kx;
    if (oy < 0 || oy >= OH || ox < 0 || ox >= OW) continue;
    for (let c = 0; c < C; c++) {
      let acc = 0;
      for (let i = 0; i < CI; i++) acc += x.data[((n * H + iy) * W + ix) * CI + i] * f.data[((ky * KW + kx) * C + c) * CI + i];
      y[((n * OH + oy) * OW + ox) * C + c] += acc;
    }
  }
  return { shape: [N, OH, OW, C], data: y };
}

/** tf.matmul for 2-D operands. */
export function matmul(a: Ten, b: Ten, ta = false, tb = false): Ten {
  const [M, K] = ta ? [a.shape[1], a.shape[0]] : a.shape;
  const [K2, Nn] = tb ? [b.shape[1], b.shape[0]] : b.shape;
  if (K !== K2) throw new Error('test bug: matmul inner dims');
  const y = new Float64Array(M * Nn);
  for (let i = 0; i < M; i++) for (let j = 0; j < Nn; j++) {
    let acc = 0;
    for (let k = 0; k < K; k++) acc += (ta ? a.data[k * M + i] : a.data[i * K + k]) * (tb ? b.data[j * K + k] : b.data[k * Nn + j]);
    y[i * Nn + j] = acc;
  }
  return { shape: [M, Nn], data: y };
}

// --- elementwise -----------------------------------------------------------------------------

/** numpy / TF broadcasting binary op. */
export function binary(a: Ten, b: Ten, fn: (x: number, y: number) => number): Ten {
  const r = Math.max(a.shape.length, b.shape.length);
  const as = [...new Array<number>(r - a.shape.length).fill(1), ...a.shape];
  const bs = [...new Array<number>(r - b.shape.length).fill(1), ...b.shape];
  const os = as.map((d, i) => {
    if (d !== bs[i] && d !== 1 && bs[i] !== 1) throw new Error('test bug: shapes do not broadcast');
    return d === 1 ? bs[i] : d;
  });
  const y = new Float64Array(numel(os));
  for (let i = 0; i < y.length; i++) {
    const idx = unravel(i, os);
    y[i] = fn(a.data[ravel(idx.map((v, d) => (as[d] === 1 ? 0 : v)), as)], b.data[ravel(idx.map((v, d) => (bs[d] === 1 ? 0 : v)), bs)]);
  }
  return { shape: os, data: y };
}

export const add = (a: Ten, b: Ten) => binary(a, b, (x, y) => x + y);
export const sub = (a: Ten, b: Ten) => binary(a, b, (x, y) => x - y);
export const mul = (a: Ten, b: Ten) => binary(a, b, (x, y) => x * y);
export const div = (a: Ten, b: Ten) => binary(a, b, (x, y) => x / y);
export const maximum = (a: Ten, b: Ten) => binary(a, b, Math.max);
export const minimum = (a: Ten, b: Ten) => binary(a, b, Math.min);
/** tf.nn.prelu: x >= 0 ? x : alpha * x, alpha broadcast against x. */
export const prelu = (x: Ten, alpha: Ten) => binary(x, alpha, (v, a) => (v >= 0 ? v : a * v));

export function unary(x: Ten, fn: (v: number) => number): Ten {
  return { shape: [...x.shape], data: x.data.map(fn) };
}
export const ACT = {
  Relu: (v: number) => Math.max(v, 0),
  Relu6: (v: number) => Math.min(Math.max(v, 0), 6),
  Sigmoid: (v: number) => 1 / (1 + Math.exp(-v)),
  Tanh: (v: number) => Math.tanh(v),
  Elu: (v: number) => (v > 0 ? v : Math.exp(v) - 1),
  Neg: (v: number) => -v,
  leaky: (alpha: number) => (v: number) => (v >= 0 ? v : alpha * v),
  hswish: (v: number) => (v * Math.min(Math.max(v + 3, 0), 6)) / 6,
  hsigmoid: (v: number) => Math.min(Math.max(v + 3, 0), 6) / 6,
};

/** The TF fused_ops epilogue: [BiasAdd, act?]. */
export function fusedEpilogue(y: Ten, ops: readonly string[], p: { bias?: Ten; alpha?: Ten; leak?: number }): Ten {
  let r = y;
  for (const op of ops) {
    if (op === 'BiasAdd') r = add(r, p.bias!);
    else if (op === 'Prelu') r = prelu(r, p.alpha!);
    else if (op === 'LeakyRelu') r = unary(r, ACT.leaky(p.leak ?? 0.2));
    else r = unary(r, ACT[op as 'Relu' | 'Relu6' | 'Sigmoid' | 'Elu' | 'Tanh']);
  }
  return r;
}

// --- reductions, pooling ---------------------------------------------------------------------

export function mean(x: Ten, axes: number[], keep: boolean): Ten {
  const r = x.shape.length;
  const ax = new Set(axes.map((a) => (a < 0 ? a + r : a)));
  const ks = x.shape.map((d, i) => (ax.has(i) ? 1 : d));
  const sum = new Float64Array(numel(ks));
  for (let i = 0; i < x.data.length; i++) {
    const idx = unravel(i, x.shape).map((v, d) => (ax.has(d) ? 0 : v));
    sum[ravel(idx, ks)] += x.data[i];
  }
  const cnt = [...ax].reduce((p, a) => p * x.shape[a], 1);
  const data = sum.map((v) => v / cnt);
  return { shape: keep ? ks : x.shape.filter((_, i) => !ax.has(i)), data };
}

/** tf.nn.avg_pool / max_pool (NHWC; SAME average pooling divides by the in-image count). */
export function pool(x: Ten, kind: 'avg' | 'max', k: [number, number], st: [number, number], padding: 'SAME' | 'VALID'): Ten {
  const [N, H, W, C] = x.shape;
  const ph = tfPad(H, k[0], st[0], 1, padding);
  const pw = tfPad(W, k[1], st[1], 1, padding);
  const [OH, OW] = [ph.out, pw.out];
  const y = new Float64Array(N * OH * OW * C);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < OH; oy++) for (let ox = 0; ox < OW; ox++) for (let c = 0; c < C; c++) {
    let acc = kind === 'max' ? -Infinity : 0;
    let cnt = 0;
    for (let ky = 0; ky < k[0]; ky++) for (let kx = 0; kx < k[1]; kx++) {
      const iy = oy * st[0] - ph.before + ky;
      const ix = ox * st[1] - pw.before + kx;
      if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
      const v = x.data[((n * H + iy) * W + ix) * C + c];
      acc = kind === 'max' ? Math.max(acc, v) : acc + v;
      cnt++;
    }
    y[((n * OH + oy) * OW + ox) * C + c] = kind === 'max' ? acc : acc / cnt;
  }
  return { shape: [N, OH, OW, C], data: y };
}

/** Softmax over the last axis. */
export function softmax(x: Ten): Ten {
  const C = x.shape[x.shape.length - 1];
  const y = new Float64Array(x.data.length);
  for (let r = 0; r < x.data.length / C; r++) {
    let m = -Infinity;
    for (let c = 0; c < C; c++) m = Math.max(m, x.data[r * C + c]);
    let s = 0;
    for (let c = 0; c < C; c++) s += Math.exp(x.data[r * C + c] - m);
    for (let c = 0; c < C; c++) y[r * C + c] = Math.exp(x.data[r * C + c] - m) / s;
  }
  return { shape: [...x.shape], data: y };
}

// --- data movement -------------------------------------------------------------------------

/** tf.pad: paddings [[before, after] per axis], constant fill. */
export function pad(x: Ten, p: [number, number][], value = 0): Ten {
  const os = x.shape.map((d, i) => d + p[i][0] + p[i][1]);
  const y = new Float64Array(numel(os)).fill(value);
  for (let i = 0; i < x.data.length; i++) y[ravel(unravel(i, x.shape).map((v, d) => v + p[d][0]), os)] = x.data[i];
  return { shape: os, data: y };
}

export function concat(ts: Ten[], axis: number): Ten {
  const r = ts[0].shape.length;
  if (axis < 0) axis += r;
  const os = [...ts[0].shape];
  os[axis] = ts.reduce((s, t) => s + t.shape[axis], 0);
  const y = new Float64Array(numel(os));
  let off = 0;
  for (const t of ts) {
    for (let i = 0; i < t.data.length; i++) {
      const idx = unravel(i, t.shape);
      idx[axis] += off;
      y[ravel(idx, os)] = t.data[i];
    }
    off += t.shape[axis];
  }
  return { shape: os, data: y };
}

/** tf.slice (begin, size with -1 = to the end). */
export function slice(x: Ten, begin: number[], size: number[]): Ten {
  const os = x.shape.map((d, i) => (size[i] === -1 ? d - begin[i] : size[i]));
  const y = new Float64Array(numel(os));
  for (let i = 0; i < y.length; i++) y[i] = x.data[ravel(unravel(i, os).map((v, d) => v + begin[d]), x.shape)];
  return { shape: os, data: y };
}

export function split(x: Ten, axis: number, sizes: number[]): Ten[] {
  if (axis < 0) axis += x.shape.length;
  let start = 0;
  return sizes.map((s) => {
    const begin = x.shape.map((_, i) => (i === axis ? start : 0));
    const size = x.shape.map((d, i) => (i === axis ? s : d));
    start += s;
    return slice(x, begin, size);
  });
}

export function reshape(x: Ten, shape: number[]): Ten {
  const known = shape.filter((d) => d !== -1).reduce((a, b) => a * b, 1);
  const s = shape.map((d) => (d === -1 ? x.data.length / known : d));
  if (numel(s) !== x.data.length) throw new Error('test bug: reshape size');
  return { shape: s, data: x.data };
}

export function transpose(x: Ten, perm: number[]): Ten {
  const os = perm.map((p) => x.shape[p]);
  const is = strides(x.shape);
  const y = new Float64Array(x.data.length);
  for (let i = 0; i < y.length; i++) {
    const idx = unravel(i, os);
    let src = 0;
    for (let d = 0; d < os.length; d++) src += idx[d] * is[perm[d]];
    y[i] = x.data[src];
  }
  return { shape: os, data: y };
}

// --- resizing (tensorflow/core/kernels/image/resize_*_op.cc, float32 coordinate arithmetic) ----------

export type ResizeMode = 'legacy' | 'align_corners' | 'half_pixel';
const f32 = Math.fround;
const resizeScale = (inS: number, outS: number, mode: ResizeMode) =>
  mode === 'align_corners' && outS > 1 ? f32((inS - 1) / (outS - 1)) : f32(inS / outS);

export function resizeBilinear(x: Ten, outH: number, outW: number, mode: ResizeMode): Ten {
  const [N, H, W, C] = x.shape;
  const weights = (inS: number, outS: number) => {
    const scale = resizeScale(inS, outS, mode);
    return Array.from({ length: outS }, (_, o) => {
      const src = mode === 'half_pixel' ? f32(f32(f32(o + 0.5) * scale) - 0.5) : f32(o * scale);
      const fl = Math.floor(src);
      return { lo: Math.max(fl, 0), hi: Math.min(Math.ceil(src), inS - 1), t: src - fl };
    });
  };
  const wy = weights(H, outH);
  const wx = weights(W, outW);
  const y = new Float64Array(N * outH * outW * C);
  const at = (n: number, yy: number, xx: number, c: number) => x.data[((n * H + yy) * W + xx) * C + c];
  for (let n = 0; n < N; n++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) for (let c = 0; c < C; c++) {
    const a = wy[oy];
    const b = wx[ox];
    const top = at(n, a.lo, b.lo, c) + (at(n, a.lo, b.hi, c) - at(n, a.lo, b.lo, c)) * b.t;
    const bot = at(n, a.hi, b.lo, c) + (at(n, a.hi, b.hi, c) - at(n, a.hi, b.lo, c)) * b.t;
    y[((n * outH + oy) * outW + ox) * C + c] = top + (bot - top) * a.t;
  }
  return { shape: [N, outH, outW, C], data: y };
}

export function resizeNearest(x: Ten, outH: number, outW: number, mode: ResizeMode): Ten {
  const [N, H, W, C] = x.shape;
  const index = (inS: number, outS: number) => {
    const scale = resizeScale(inS, outS, mode);
    return Array.from({ length: outS }, (_, o) => {
      const src = mode === 'half_pixel' ? f32(f32(o + 0.5) * scale) : f32(o * scale);
      // roundf rounds halves away from zero; the coordinates here are >= 0
      let i = Math.min(mode === 'align_corners' ? Math.round(src) : Math.floor(src), inS - 1);
      if (mode === 'half_pixel') i = Math.max(0, i);
      return i;
    });
  };
  const iy = index(H, outH);
  const ix = index(W, outW);
  const y = new Float64Array(N * outH * outW * C);
  for (let n = 0; n < N; n++) for (let oy = 0; oy < outH; oy++) for (let ox = 0; ox < outW; ox++) for (let c = 0; c < C; c++) {
    y[((n * outH + oy) * outW + ox) * C + c] = x.data[((n * H + iy[oy]) * W + ix[ox]) * C + c];
  }
  return { shape: [N, outH, outW, C], data: y };
}
