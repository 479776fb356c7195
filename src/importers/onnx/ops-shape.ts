import type { OnnxNodeProto } from './proto.js';
import { transposeData, type ConstTensor } from './tensor.js';
import { fmt, sizeOf, type OnnxConverter, type Value } from './converter.js';
import { flattenTo } from './ops-nn.js';

/** Data movement, views and constant shape arithmetic. */
export const SHAPE_OPS = [
  'Concat', 'Split', 'Slice', 'Reshape', 'Transpose', 'Squeeze', 'Unsqueeze', 'Pad', 'Identity', 'Dropout',
  'Constant', 'ConstantOfShape', 'Shape', 'Gather', 'Cast',
] as const;

const same = (a: readonly number[], b: readonly number[]) => a.length === b.length && a.every((v, i) => v === b[i]);
const INT_TYPES = new Set([2, 3, 4, 5, 6, 7, 9, 12, 13]);

/** Whether a tensor of ONNX shape s has the same element order in the IR (NHWC for 4-D). */
const irOrderIsOnnxOrder = (s: readonly number[]): boolean => s.length <= 2 || (s.length === 4 && (s[1] === 1 || s[2] * s[3] === 1));
const irShape = (s: readonly number[]): number[] => (s.length === 4 ? [s[0], s[2], s[3], s[1]] : [...s]);

function normAxis(cv: OnnxConverter, n: OnnxNodeProto, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) cv.formatError(n, `axis ${axis} is out of range for rank ${rank}`);
  return a;
}

/** Row-major slice of a constant: per axis start (inclusive), count and step. */
function sliceConst(c: ConstTensor, axes: { start: number; count: number; step: number }[]): ConstTensor {
  const shape = axes.map((a) => a.count);
  const r = shape.length;
  const strides = new Array<number>(r).fill(1);
  for (let i = r - 2; i >= 0; i--) strides[i] = strides[i + 1] * c.shape[i + 1];
  const n = sizeOf(shape);
  const data = new (c.data.constructor as new (k: number) => Float32Array | Float64Array)(n);
  const idx = new Array<number>(r).fill(0);
  for (let o = 0; o < n; o++) {
    let src = 0;
    for (let i = 0; i < r; i++) src += (axes[i].start + idx[i] * axes[i].step) * strides[i];
    data[o] = c.data[src];
    for (let i = r - 1; i >= 0; i--) {
      if (++idx[i] < shape[i]) break;
      idx[i] = 0;
    }
  }
  return { shape, data, int: c.int };
}

function concatConst(parts: ConstTensor[], axis: number): ConstTensor {
  const shape = [...parts[0].shape];
  shape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0);
  const outer = sizeOf(shape.slice(0, axis));
  const data = new (parts.every((p) => p.int) ? Float64Array : Float32Array)(sizeOf(shape));
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const p of parts) {
      const inner = sizeOf(p.shape.slice(axis));
      data.set(p.data.subarray(i * inner, (i + 1) * inner), o);
      o += inner;
    }
  }
  return { shape, data, int: parts.every((p) => p.int) };
}

/** The ONNX value of shape `out` holding v's elements (Reshape / Squeeze / Unsqueeze / Flatten). */
function reshape(cv: OnnxConverter, n: OnnxNodeProto, v: Value, out: number[]): void {
  if ('c' in v) return cv.setConst(n, { ...v.c, shape: out });
  const xs = v.shape;
  if ('shuffle' in v) {
    const { t, g, transposed } = v.shuffle;
    const src = cv.b.shape(t);
    const orig = [src[0], src[3], src[1], src[2]];
    if (same(out, orig)) {
      if (!transposed) return cv.set(n, { t, shape: orig });
      return cv.setTensor(n, cv.b.node('ChannelShuffle', cv.outName(n), [t], { groups: g })[0]);
    }
    cv.unsupported(n, `reshape of the 5-D view ${fmt(xs)} to ${fmt(out)} (supported: back to ${fmt(orig)}, the channel shuffle pattern)`);
  }
  if (same(out, xs)) return cv.set(n, v);
  if (xs.length === 4 && out.length === 5 && !v.flat) {
    const [N, C, H, W] = xs;
    if (out[0] === N && out[1] * out[2] === C && out[3] === H && out[4] === W) {
      return cv.set(n, { shuffle: { t: v.t, g: out[1], transposed: false }, shape: out });
    }
  }
  if (xs.length === 4 && out.length === 2 && out[0] === xs[0]) return flattenTo(cv, n, v, out);
  if (!v.flat && irOrderIsOnnxOrder(xs) && irOrderIsOnnxOrder(out) && (out.length === 4 || out.length <= 2)) {
    return cv.setTensor(n, cv.b.node('Reshape', cv.outName(n), [v.t], { shape: irShape(out) })[0]);
  }
  cv.unsupported(n, `reshape of ${fmt(xs)} to ${fmt(out)} (supported: flattening [N,C,H,W] to [N,C*H*W], [N,C] <-> [N,C,1,1], and the [N,C,H,W] -> [N,g,C/g,H,W] -> Transpose(0,2,1,3,4) -> [N,C,H,W] channel shuffle)`);
}

function reshapeOp(cv: OnnxConverter, n: OnnxNodeProto): void {
  const v = cv.value(n, 0);
  const xs = cv.shapeOf(v);
  const want = cv.opset >= 5 ? cv.intsIn(n, 1, 'the shape') : cv.ints(n, 'shape', []);
  const allowZero = cv.int(n, 'allowzero', 0) === 1;
  const shape = want.map((d, i) => (d === 0 && !allowZero ? xs[i] : d));
  const known = shape.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
  const out = shape.map((d) => (d === -1 ? sizeOf(xs) / known : d));
  if (shape.filter((d) => d === -1).length > 1 || !out.every((d) => Number.isInteger(d) && d >= 0) || sizeOf(out) !== sizeOf(xs)) {
    cv.formatError(n, `cannot reshape ${fmt(xs)} to [${want.join(',')}]`);
  }
  reshape(cv, n, v, out);
}

/** Squeeze / Unsqueeze axes: an input from opset 13, an attribute before. */
function axesOf(cv: OnnxConverter, n: OnnxNodeProto): number[] | null {
  if (cv.opset >= 13) return cv.has(n, 1) ? cv.intsIn(n, 1, 'the axes') : null;
  return cv.attr(n, 'axes') ? cv.ints(n, 'axes', []) : null;
}

function slice(cv: OnnxConverter, n: OnnxNodeProto): void {
  const v = cv.value(n, 0);
  const xs = cv.shapeOf(v);
  const r = xs.length;
  const fromInputs = cv.opset >= 10;
  const starts = fromInputs ? cv.intsIn(n, 1, 'starts') : cv.ints(n, 'starts', []);
  const ends = fromInputs ? cv.intsIn(n, 2, 'ends') : cv.ints(n, 'ends', []);
  const axes = (fromInputs ? (cv.has(n, 3) ? cv.intsIn(n, 3, 'axes') : null) : cv.ints(n, 'axes', [])) ?? [];
  const steps = fromInputs && cv.has(n, 4) ? cv.intsIn(n, 4, 'steps') : [];
  const ax = axes.length ? axes.map((a) => normAxis(cv, n, a, r)) : starts.map((_, i) => i);
  if (starts.length !== ax.length || ends.length !== ax.length) cv.formatError(n, 'starts, ends and axes have different lengths');
  const per = xs.map((d) => ({ start: 0, count: d, step: 1 }));
  ax.forEach((a, i) => {
    const d = xs[a];
    const step = steps[i] ?? 1;
    if (step === 0) cv.formatError(n, 'a step of 0');
    const clampPos = (x: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, x < 0 ? x + d : x));
    if (step > 0) {
      const s = clampPos(starts[i], 0, d);
      const e = clampPos(ends[i], 0, d);
      per[a] = { start: s, count: Math.max(0, Math.ceil((e - s) / step)), step };
    } else {
      const s = clampPos(starts[i], -1, d - 1);
      const e = clampPos(ends[i], -1, d - 1);
      per[a] = { start: s, count: Math.max(0, Math.ceil((s - e) / -step)), step };
    }
  });
  if ('c' in v) return cv.setConst(n, sliceConst(v.c, per));
  const x = cv.asTensor(n, v, n.input![0]);
  const cut = per.map((p, i) => (p.start !== 0 || p.count !== xs[i] || p.step !== 1 ? i : -1)).filter((i) => i >= 0);
  if (cut.length === 0) return cv.set(n, x);
  const chan = xs.length === 4 || xs.length === 2 ? 1 : -1;
  if (cut.length > 1 || cut[0] !== chan || per[chan].step !== 1) {
    cv.unsupported(n, `slicing ${fmt(xs)} on axes [${cut.join(',')}]${cut.some((i) => per[i].step !== 1) ? ' with a step' : ''} (supported: a channel range of axis 1 with step 1)`);
  }
  const { start, count } = per[chan];
  const C = xs[chan];
  if (count === 0) cv.unsupported(n, 'an empty slice');
  const sizes = [start, count, C - start - count].filter((s) => s > 0);
  const outs = cv.b.node('Split', cv.tmpName(n, 'split'), [x.t], { sizes }, sizes.length);
  cv.setTensor(n, outs[start > 0 ? 1 : 0]);
}

function split(cv: OnnxConverter, n: OnnxNodeProto): void {
  const v = cv.value(n, 0);
  const xs = cv.shapeOf(v);
  const axis = normAxis(cv, n, cv.int(n, 'axis', 0), xs.length);
  const nOut = n.output?.length ?? 0;
  let sizes: number[];
  if (cv.opset >= 13 && cv.has(n, 1)) sizes = cv.intsIn(n, 1, 'split');
  else if (cv.opset < 13 && cv.attr(n, 'split')) sizes = cv.ints(n, 'split', []);
  else {
    const k = cv.int(n, 'num_outputs', nOut);
    const each = Math.ceil(xs[axis] / k);
    sizes = Array.from({ length: k }, (_, i) => Math.min(each, xs[axis] - i * each));
  }
  if (sizes.length !== nOut || sizes.reduce((p, q) => p + q, 0) !== xs[axis] || sizes.some((s) => s < 0)) {
    cv.formatError(n, `split sizes [${sizes.join(',')}] for ${nOut} outputs do not add up to ${xs[axis]} (axis ${axis} of ${fmt(xs)})`);
  }
  let at = 0;
  if ('c' in v) {
    sizes.forEach((s, i) => {
      cv.setConst(n, sliceConst(v.c, xs.map((d, j) => (j === axis ? { start: at, count: s, step: 1 } : { start: 0, count: d, step: 1 }))), i);
      at += s;
    });
    return;
  }
  const x = cv.asTensor(n, v, n.input![0]);
  if (axis !== 1 || (xs.length !== 4 && xs.length !== 2)) cv.unsupported(n, `split on axis ${axis} of ${fmt(xs)} (supported: the channel axis 1)`);
  if (sizes.some((s) => s === 0)) cv.unsupported(n, `empty pieces in split [${sizes.join(',')}]`);
  const base = n.output!.find((o) => o) ?? cv.label(n);
  const outs = cv.b.node('Split', cv.b.freshName(`${base}/split`), [x.t], { sizes }, sizes.length);
  outs.forEach((t, i) => cv.setTensor(n, t, i));
}

function concat(cv: OnnxConverter, n: OnnxNodeProto): void {
  const parts = (n.input ?? []).map((_, i) => cv.value(n, i));
  const shapes = parts.map((p) => cv.shapeOf(p));
  const rank = shapes[0]?.length ?? 0;
  if (parts.length === 0) cv.formatError(n, 'no inputs');
  const axis = normAxis(cv, n, cv.int(n, 'axis', 0), rank);
  if (parts.every((p) => 'c' in p)) return cv.setConst(n, concatConst(parts.map((p) => (p as { c: ConstTensor }).c), axis));
  if (axis !== 1 || (rank !== 4 && rank !== 2)) cv.unsupported(n, `concatenation on axis ${axis} of ${fmt(shapes[0])} tensors (supported: the channel axis 1)`);
  const ts = parts.map((p, i) => cv.asTensor(n, p, n.input![i]).t);
  cv.setTensor(n, parts.length === 1 ? ts[0] : cv.b.node('Concat', cv.outName(n), ts, {})[0]);
}

function pad(cv: OnnxConverter, n: OnnxNodeProto): void {
  const x = cv.tensor(n, 0);
  const mode = cv.str(n, 'mode', 'constant');
  if (mode !== 'constant') cv.unsupported(n, `mode '${mode}' (supported: constant)`);
  const pads = cv.opset >= 11 ? cv.intsIn(n, 1, 'the pads') : cv.ints(n, 'pads', []);
  const value = cv.opset >= 11 ? (cv.has(n, 2) ? cv.constIn(n, 2, 'constant_value').data[0] : 0) : cv.float(n, 'value', 0);
  if (cv.opset >= 18 && cv.has(n, 3)) cv.unsupported(n, 'the axes input');
  if (value !== 0) cv.unsupported(n, `constant_value ${value} (supported: 0)`);
  if (x.shape.length !== 4 || pads.length !== 8) cv.unsupported(n, `padding a ${fmt(x.shape)} tensor with pads [${pads.join(',')}] (supported: H and W of 4-D NCHW tensors)`);
  if (pads[0] || pads[1] || pads[4] || pads[5] || pads.some((p) => p < 0)) cv.unsupported(n, `pads [${pads.join(',')}] (supported: non-negative, on H and W only)`);
  cv.setTensor(n, cv.b.node('Pad', cv.outName(n), [x.t], { pads: [pads[2], pads[3], pads[6], pads[7]] })[0]);
}

function constant(cv: OnnxConverter, n: OnnxNodeProto): void {
  const t = cv.attrTensor(n, 'value');
  if (t) return cv.setConst(n, t);
  const a = n.attribute?.[0];
  const num = (data: number[], int: boolean, scalar: boolean): ConstTensor => ({ shape: scalar ? [] : [data.length], data: int ? Float64Array.from(data) : Float32Array.from(data), int });
  if (a?.name === 'value_float') return cv.setConst(n, num([a.f ?? 0], false, true));
  if (a?.name === 'value_floats') return cv.setConst(n, num(a.floats ?? [], false, false));
  if (a?.name === 'value_int') return cv.setConst(n, num([cv.int(n, 'value_int', 0)], true, true));
  if (a?.name === 'value_ints') return cv.setConst(n, num(cv.ints(n, 'value_ints', []), true, false));
  cv.unsupported(n, `attribute '${a?.name ?? '(none)'}' (supported: value, value_float(s), value_int(s))`);
}

export function convertShape(cv: OnnxConverter, n: OnnxNodeProto): boolean {
  switch (n.op_type) {
    case 'Identity':
      cv.set(n, cv.value(n, 0));
      return true;
    case 'Dropout':
      if (n.output?.[1]) cv.unsupported(n, 'the mask output');
      cv.set(n, cv.value(n, 0));
      return true;
    case 'Constant': constant(cv, n); return true;
    case 'ConstantOfShape': {
      const shape = cv.intsIn(n, 0, 'the shape');
      const fill = cv.attrTensor(n, 'value') ?? { shape: [1], data: new Float32Array(1), int: false };
      const data = new (fill.int ? Float64Array : Float32Array)(sizeOf(shape)).fill(fill.data[0]);
      cv.setConst(n, { shape, data, int: fill.int });
      return true;
    }
    case 'Shape': {
      const s = cv.shapeOf(cv.value(n, 0));
      const r = s.length;
      let start = cv.int(n, 'start', 0);
      let end = cv.int(n, 'end', r);
      start = Math.min(r, Math.max(0, start < 0 ? start + r : start));
      end = Math.min(r, Math.max(0, end < 0 ? end + r : end));
      const dims = s.slice(start, Math.max(start, end));
      cv.setConst(n, { shape: [dims.length], data: Float64Array.from(dims), int: true });
      return true;
    }
    case 'Gather': {
      const data = cv.value(n, 0);
      if (!('c' in data)) cv.unsupported(n, 'gathering from a non-constant tensor');
      const idx = cv.constIn(n, 1, 'the indices');
      const ds = data.c.shape;
      const axis = normAxis(cv, n, cv.int(n, 'axis', 0), ds.length);
      const outer = sizeOf(ds.slice(0, axis));
      const inner = sizeOf(ds.slice(axis + 1));
      const shape = [...ds.slice(0, axis), ...idx.shape, ...ds.slice(axis + 1)];
      const out = new (data.c.data.constructor as new (k: number) => Float32Array | Float64Array)(sizeOf(shape));
      let o = 0;
      for (let i = 0; i < outer; i++) {
        for (const j0 of idx.data) {
          const j = j0 < 0 ? j0 + ds[axis] : j0;
          if (j < 0 || j >= ds[axis]) cv.formatError(n, `index ${j0} out of range for axis ${axis} of ${fmt(ds)}`);
          out.set(data.c.data.subarray((i * ds[axis] + j) * inner, (i * ds[axis] + j + 1) * inner), o);
          o += inner;
        }
      }
      cv.setConst(n, { shape, data: out, int: data.c.int });
      return true;
    }
    case 'Cast': {
      const v = cv.value(n, 0);
      const to = cv.int(n, 'to', 1);
      if ('c' in v) {
        const int = INT_TYPES.has(to);
        cv.setConst(n, { shape: v.c.shape, data: int ? Float64Array.from(v.c.data, Math.trunc) : Float32Array.from(v.c.data), int });
        return true;
      }
      if (to !== 1) cv.unsupported(n, `casting a tensor to data type ${to} (sepconv tensors are float32)`);
      cv.set(n, v);
      return true;
    }
    case 'Reshape': reshapeOp(cv, n); return true;
    case 'Squeeze':
    case 'Unsqueeze': {
      const v = cv.value(n, 0);
      const xs = cv.shapeOf(v);
      const axes = axesOf(cv, n);
      let out: number[];
      if (n.op_type === 'Squeeze') {
        const drop = new Set((axes ?? xs.map((d, i) => (d === 1 ? i : -1)).filter((i) => i >= 0)).map((a) => normAxis(cv, n, a, xs.length)));
        for (const d of drop) if (xs[d] !== 1) cv.formatError(n, `cannot squeeze axis ${d} of ${fmt(xs)}`);
        out = xs.filter((_, i) => !drop.has(i));
      } else {
        if (!axes) cv.formatError(n, 'no axes');
        const r = xs.length + axes.length;
        const add = new Set(axes.map((a) => normAxis(cv, n, a, r)));
        out = [];
        for (let i = 0, j = 0; i < r; i++) out.push(add.has(i) ? 1 : xs[j++]);
      }
      reshape(cv, n, v, out);
      return true;
    }
    case 'Transpose': {
      const v = cv.value(n, 0);
      const xs = cv.shapeOf(v);
      const perm = cv.ints(n, 'perm', xs.map((_, i) => xs.length - 1 - i));
      const outShape = perm.map((p) => xs[p]);
      if ('c' in v) return cv.setConst(n, { shape: outShape, data: transposeData(v.c.data, xs, perm), int: v.c.int }), true;
      if (perm.every((p, i) => p === i)) return cv.set(n, v), true;
      if ('shuffle' in v && !v.shuffle.transposed && same(perm, [0, 2, 1, 3, 4])) {
        return cv.set(n, { shuffle: { ...v.shuffle, transposed: true }, shape: outShape }), true;
      }
      // a permutation that moves only size-1 axes keeps the element order: a reshape
      const order = (s: number[], p: number[]) => p.filter((a) => s[a] !== 1);
      if (!('shuffle' in v) && same(order(xs, perm), order(xs, xs.map((_, i) => i)))) return reshape(cv, n, v, outShape), true;
      cv.unsupported(n, `perm [${perm.join(',')}] on ${fmt(xs)} (supported: [0,2,1,3,4] in the channel shuffle pattern, permutations of size-1 axes)`);
      return true;
    }
    case 'Concat': concat(cv, n); return true;
    case 'Split': split(cv, n); return true;
    case 'Slice': slice(cv, n); return true;
    case 'Pad': pad(cv, n); return true;
    default: return false;
  }
}
