import {
  concatConst, makeConst, packConst, resolveStridedSlice, sliceConst, sliceLength, transposeConst, type AxisSlice,
} from './const-eval.js';
import { sizeOf as size } from '../../graph/ir.js';
import { sameShape, type TensorValue, type TfConverter, type TfNode, type Value } from './tf-converter.js';

/** Shape and data-movement ops: views, transposes, concat / split / slice, padding, shape arithmetic. */
export const SHAPE_OPS = [
  'Identity', 'Reshape', 'Squeeze', 'ExpandDims', 'Transpose', 'ConcatV2', 'Split', 'SplitV', 'Slice', 'StridedSlice', 'Pad', 'PadV2',
  'Shape', 'Pack', 'Cast',
] as const;


/** The value with TF shape `shape` (same element count), as a view of the same IR tensor. */
function view(cv: TfConverter, v: Value, shape: number[], name: string): Value {
  if ('c' in v) return { c: { ...v.c, shape } };
  const irShape = cv.b.shape(v.t);
  return sameShape(irShape, shape) ? { t: v.t } : { t: v.t, shape, name };
}

export function convertShape(cv: TfConverter, n: TfNode): boolean {
  const b = cv.b;
  switch (n.op) {
    case 'Identity':
      cv.vals.set(n.name, cv.value(n, 0));
      return true;
    case 'Reshape': {
      const v = cv.value(n, 0);
      const xs = cv.shapeOf(v);
      const want = cv.intsIn(n, 1, 'the shape');
      const known = want.filter((d) => d !== -1).reduce((p, q) => p * q, 1);
      const shape = want.map((d) => (d === -1 ? size(xs) / known : d));
      if (want.filter((d) => d === -1).length > 1 || !shape.every((d) => Number.isInteger(d) && d > 0) || size(shape) !== size(xs)) {
        cv.formatError(n, `cannot reshape [${xs.join(',')}] to [${want.join(',')}]`);
      }
      cv.vals.set(n.name, view(cv, v, shape, n.name));
      return true;
    }
    case 'Squeeze': {
      const v = cv.value(n, 0);
      const xs = cv.shapeOf(v);
      const dims = cv.ints(n, 'squeeze_dims', []).map((d) => (d < 0 ? d + xs.length : d));
      const axis = n.attr?.axis?.list?.i?.map(Number).map((d) => (d < 0 ? d + xs.length : d)) ?? [];
      const drop = new Set([...dims, ...axis]);
      for (const d of drop) if (xs[d] !== 1) cv.formatError(n, `cannot squeeze axis ${d} of [${xs.join(',')}]`);
      const shape = xs.filter((d, i) => (drop.size ? !drop.has(i) : d !== 1));
      cv.vals.set(n.name, view(cv, v, shape, n.name));
      return true;
    }
    case 'ExpandDims': {
      const v = cv.value(n, 0);
      const xs = cv.shapeOf(v);
      let d = cv.intsIn(n, 1, 'the axis')[0];
      if (d < 0) d += xs.length + 1;
      cv.vals.set(n.name, view(cv, v, [...xs.slice(0, d), 1, ...xs.slice(d)], n.name));
      return true;
    }
    case 'Transpose': {
      const v = cv.value(n, 0);
      const perm = cv.intsIn(n, 1, 'the permutation');
      if ('c' in v) {
        cv.setConst(n, transposeConst(v.c, perm));
        return true;
      }
      cv.vals.set(n.name, transposeValue(cv, n, v, perm, n.name));
      return true;
    }
    case 'ConcatV2': {
      const ins = cv.inputs(n);
      const parts = ins.slice(0, -1).map((_, i) => cv.value(n, i));
      const shapes = parts.map((p) => cv.shapeOf(p));
      const rank = shapes[0].length;
      let axis = cv.intsIn(n, ins.length - 1, 'the axis')[0];
      if (axis < 0) axis += rank;
      if (parts.every((p) => 'c' in p)) {
        cv.setConst(n, concatConst(parts.map((p) => (p as { c: never }).c), axis));
        return true;
      }
      if (axis !== rank - 1) cv.unsupported(n, `concatenation on axis ${axis} of rank-${rank} tensors (supported: the last, channel axis)`);
      if (parts.length === 1) {
        cv.vals.set(n.name, parts[0]);
        return true;
      }
      cv.set(n, b.node('Concat', n.name, parts.map((_, i) => cv.tensor(n, i)), {})[0]);
      return true;
    }
    case 'Split':
    case 'SplitV': {
      const [xi, ai] = n.op === 'Split' ? [1, 0] : [0, 2];
      const v = cv.value(n, xi);
      const xs = cv.shapeOf(v);
      let axis = cv.intsIn(n, ai, 'the axis')[0];
      if (axis < 0) axis += xs.length;
      let sizes: number[];
      if (n.op === 'Split') {
        const k = cv.int(n, 'num_split', 0);
        if (!(k > 0) || xs[axis] % k !== 0) cv.formatError(n, `cannot split ${xs[axis]} values into num_split = ${k} equal parts`);
        sizes = new Array<number>(k).fill(xs[axis] / k);
      } else {
        sizes = cv.intsIn(n, 1, 'size_splits');
        const rest = xs[axis] - sizes.filter((s) => s !== -1).reduce((p, q) => p + q, 0);
        sizes = sizes.map((s) => (s === -1 ? rest : s));
        if (sizes.reduce((p, q) => p + q, 0) !== xs[axis] || sizes.some((s) => s < 0)) cv.formatError(n, `size_splits [${sizes.join(',')}] do not add up to ${xs[axis]}`);
      }
      let start = 0;
      const pieces = sizes.map((s) => {
        const r = { begin: start, size: s };
        start += s;
        return r;
      });
      if ('c' in v) {
        pieces.forEach((p, i) => cv.setConst(n, sliceConst(v.c, xs.map((d, j) => (j === axis ? { start: p.begin, stop: p.begin + p.size, step: 1, shrink: false } : { start: 0, stop: d, step: 1, shrink: false }))), i ? `${n.name}:${i}` : n.name));
        return true;
      }
      if (axis !== xs.length - 1) cv.unsupported(n, `split on axis ${axis} of a [${xs.join(',')}] tensor (supported: the last, channel axis)`);
      const x = cv.materialize(v, n.name, n);
      const outs = b.node('Split', b.freshName(n.name), [x], { sizes }, sizes.length);
      outs.forEach((t, i) => cv.vals.set(i ? `${n.name}:${i}` : n.name, { t }));
      return true;
    }
    case 'Slice':
    case 'StridedSlice': {
      const v = cv.value(n, 0);
      const xs = cv.shapeOf(v);
      let axes: AxisSlice[];
      if (n.op === 'Slice') {
        const begin = cv.intsIn(n, 1, 'begin');
        const sz = cv.intsIn(n, 2, 'size');
        axes = xs.map((d, i) => ({ start: begin[i], stop: sz[i] === -1 ? d : begin[i] + sz[i], step: 1, shrink: false }));
        if (axes.some((a, i) => a.start < 0 || a.stop > xs[i] || a.stop < a.start)) cv.formatError(n, `begin [${begin.join(',')}] / size [${sz.join(',')}] out of range for [${xs.join(',')}]`);
      } else {
        for (const m of ['ellipsis_mask', 'new_axis_mask']) if (cv.int(n, m, 0) !== 0) cv.unsupported(n, `${m} = ${cv.int(n, m, 0)}`);
        axes = resolveStridedSlice(xs, {
          begin: cv.intsIn(n, 1, 'begin'), end: cv.intsIn(n, 2, 'end'), strides: cv.inputs(n)[3] ? cv.intsIn(n, 3, 'strides') : [],
          beginMask: cv.int(n, 'begin_mask', 0), endMask: cv.int(n, 'end_mask', 0), shrinkMask: cv.int(n, 'shrink_axis_mask', 0),
        });
      }
      if ('c' in v) {
        cv.setConst(n, sliceConst(v.c, axes));
        return true;
      }
      slice(cv, n, v, xs, axes);
      return true;
    }
    case 'Pad':
    case 'PadV2': {
      const v = cv.value(n, 0);
      const xs = cv.shapeOf(v);
      const p = cv.intsIn(n, 1, 'paddings');
      if (n.op === 'PadV2') {
        const c = cv.constIn(n, 2, 'constant_values');
        if (c.data.some((q) => q !== 0)) cv.unsupported(n, `constant_values ${c.data[0]} (only zero padding)`);
      }
      if (xs.length !== 4 || p.length !== 8 || p[0] || p[1] || p[6] || p[7]) cv.unsupported(n, `paddings [${p.join(',')}] for a [${xs.join(',')}] tensor (supported: height and width of NHWC)`);
      if (p.some((q) => q < 0)) cv.formatError(n, `negative paddings [${p.join(',')}]`);
      const x = cv.tensor(n, 0);
      if (p.every((q) => q === 0)) cv.set(n, x);
      else cv.set(n, b.node('Pad', n.name, [x], { pads: [p[2], p[4], p[3], p[5]] })[0]);
      return true;
    }
    case 'Shape': {
      const xs = cv.shapeOf(cv.value(n, 0));
      cv.setConst(n, makeConst([xs.length], 'int32', xs));
      return true;
    }
    case 'Pack': {
      const parts = cv.inputs(n).map((_, i) => cv.value(n, i));
      if (!parts.every((q) => 'c' in q)) cv.unsupported(n, 'packing tensors (only constants, e.g. shape arithmetic)');
      const rank = parts[0] && 'c' in parts[0] ? parts[0].c.shape.length : 0;
      let axis = cv.int(n, 'axis', 0);
      if (axis < 0) axis += rank + 1;
      cv.setConst(n, packConst(parts.map((q) => (q as { c: never }).c), axis));
      return true;
    }
    case 'Cast': {
      const v = cv.value(n, 0);
      const to = n.attr?.DstT?.type ?? '';
      const int = /INT/.test(to);
      if (!int && !/FLOAT|HALF|DOUBLE/.test(to)) cv.unsupported(n, `cast to ${to || 'an unknown type'}`);
      if ('c' in v) cv.setConst(n, makeConst([...v.c.shape], int ? 'int32' : 'float32', Array.from(v.c.data, (q) => (int ? Math.trunc(q) : q))));
      else if (int) cv.unsupported(n, `cast of a float tensor to ${to}`);
      else cv.vals.set(n.name, v);
      return true;
    }
    default:
      return false;
  }
}

/**
 * Transposes of activations. Supported: any perm that only moves size-1 axes (a view), and
 * swapping the last two axes of [..., a, b] — channel shuffle with a groups on the last two axes
 * taken together (ShuffleNet's Reshape [N,H,W,g,C/g] -> Transpose [0,1,2,4,3] -> Reshape).
 */
export function transposeValue(cv: TfConverter, n: TfNode, v: TensorValue, perm: number[], name: string): Value {
  const xs = cv.shapeOf(v);
  const r = xs.length;
  if (perm.length !== r || [...perm].sort((p, q) => p - q).some((p, i) => p !== i)) cv.formatError(n, `perm [${perm.join(',')}] is not a permutation of ${r} axes`);
  const out = perm.map((p) => xs[p]);
  const kept = (order: number[]) => order.filter((a) => xs[a] !== 1);
  if (kept(perm).join() === kept(xs.map((_, i) => i)).join()) return view(cv, v, out, name);
  const swapLast = r >= 2 && perm.slice(0, -2).every((p, i) => p === i) && perm[r - 2] === r - 1 && perm[r - 1] === r - 2;
  if (!swapLast) cv.unsupported(n, `perm [${perm.join(',')}] on a [${xs.join(',')}] tensor (supported: swapping the last two axes, the channel-shuffle pattern, or moving size-1 axes)`);
  const [a, bb] = [xs[r - 2], xs[r - 1]];
  const rows = size(xs) / (a * bb);
  const b = cv.b;
  const irShape = b.shape(v.t);
  let t = v.t;
  if (irShape[irShape.length - 1] !== a * bb) t = b.node('Reshape', b.freshName(`${name}/flat`), [v.t], { shape: [rows, a * bb] })[0];
  const s = b.node('ChannelShuffle', b.freshName(name), [t], { groups: a })[0];
  return view(cv, { t: s }, out, name);
}

/** Slices of activations: a contiguous range of the last (channel) axis, everything else whole. */
function slice(cv: TfConverter, n: TfNode, v: TensorValue, xs: number[], axes: AxisSlice[]): void {
  const last = xs.length - 1;
  const whole = axes.every((a, i) => i === last || (a.start === 0 && a.stop === xs[i] && a.step === 1 && !a.shrink));
  const c = axes[last];
  if (!whole || c.step !== 1 || c.shrink) {
    cv.unsupported(n, `slicing [${axes.map((a) => `${a.start}:${a.stop}:${a.step}`).join(', ')}] of a [${xs.join(',')}] tensor (supported: a range of the last, channel axis)`);
  }
  const len = sliceLength(c);
  if (len === 0) cv.formatError(n, 'the slice is empty');
  const x = cv.materialize(v, n.name, n);
  if (len === xs[last]) {
    cv.set(n, x);
    return;
  }
  const sizes = [c.start, len, xs[last] - c.start - len].filter((s) => s > 0);
  const outs = cv.b.node('Split', cv.b.freshName(n.name), [x], { sizes }, sizes.length);
  cv.set(n, outs[c.start > 0 ? 1 : 0]);
}
