import { sizeOf as size } from '../../graph/ir.js';
import type { DecodedWeight } from './weights.js';

/**
 * Constant evaluation for TF graphs: the shape arithmetic (Shape -> StridedSlice -> Pack ->
 * Reshape) and constant expressions that importers fold at load time instead of running.
 * Plain N-d row-major arrays with numpy/TF broadcasting.
 */

export type Dtype = DecodedWeight['dtype'];


export function makeConst(shape: number[], dtype: Dtype, data: ArrayLike<number>): DecodedWeight {
  return { shape, dtype, data: dtype === 'int32' ? Int32Array.from(data) : Float32Array.from(data) };
}

/** Row-major strides of `shape`. */
export function stridesOf(shape: readonly number[]): number[] {
  const s = new Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** The broadcast shape of a and b, or null when they do not broadcast. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] | null {
  const r = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < r; i++) {
    const x = a[a.length - r + i] ?? 1;
    const y = b[b.length - r + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) return null;
    out.push(x === 1 ? y : x);
  }
  return out;
}

/** `c` broadcast to `shape` (which must be a broadcast of c's shape), as a dense array. */
export function expandTo(c: DecodedWeight, shape: readonly number[]): Float32Array | Int32Array {
  const n = size(shape);
  const out = c.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  const r = shape.length;
  const cs = [...new Array<number>(r - c.shape.length).fill(1), ...c.shape];
  const cStr = stridesOf(cs).map((s, i) => (cs[i] === 1 ? 0 : s));
  const oStr = stridesOf(shape);
  for (let i = 0; i < n; i++) {
    let rem = i;
    let src = 0;
    for (let d = 0; d < r; d++) {
      const q = Math.floor(rem / oStr[d]);
      rem -= q * oStr[d];
      src += q * cStr[d];
    }
    out[i] = c.data[src];
  }
  return out;
}

/** Elementwise fn over two broadcast constants; int32 when both are int32 and `intResult`. */
export function binaryConst(a: DecodedWeight, b: DecodedWeight, fn: (x: number, y: number) => number, shape: number[]): DecodedWeight {
  const dtype: Dtype = a.dtype === 'int32' && b.dtype === 'int32' ? 'int32' : 'float32';
  const x = expandTo(a, shape);
  const y = expandTo(b, shape);
  const out = dtype === 'int32' ? new Int32Array(x.length) : new Float32Array(x.length);
  for (let i = 0; i < out.length; i++) out[i] = fn(x[i], y[i]);
  return { shape, dtype, data: out };
}

export function transposeConst(c: DecodedWeight, perm: readonly number[]): DecodedWeight {
  const shape = perm.map((p) => c.shape[p]);
  const inStr = stridesOf(c.shape);
  const outStr = stridesOf(shape);
  const n = c.data.length;
  const out = c.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  for (let i = 0; i < n; i++) {
    let rem = i;
    let src = 0;
    for (let d = 0; d < shape.length; d++) {
      const q = Math.floor(rem / outStr[d]);
      rem -= q * outStr[d];
      src += q * inStr[perm[d]];
    }
    out[i] = c.data[src];
  }
  return { shape, dtype: c.dtype, data: out };
}

export function concatConst(parts: readonly DecodedWeight[], axis: number): DecodedWeight {
  const first = parts[0];
  const shape = [...first.shape];
  shape[axis] = parts.reduce((s, p) => s + p.shape[axis], 0);
  const outer = size(first.shape.slice(0, axis));
  const dtype: Dtype = parts.every((p) => p.dtype === 'int32') ? 'int32' : 'float32';
  const out = dtype === 'int32' ? new Int32Array(size(shape)) : new Float32Array(size(shape));
  let o = 0;
  for (let i = 0; i < outer; i++) {
    for (const p of parts) {
      const inner = size(p.shape.slice(axis));
      for (let j = 0; j < inner; j++) out[o++] = p.data[i * inner + j];
    }
  }
  return { shape, dtype, data: out };
}

/** TF Pack (tf.stack): values of equal shape stacked on a new axis. */
export function packConst(parts: readonly DecodedWeight[], axis: number): DecodedWeight {
  const s = parts[0].shape;
  const expanded = parts.map((p) => ({ ...p, shape: [...s.slice(0, axis), 1, ...s.slice(axis)] }));
  return concatConst(expanded, axis);
}

/** Normalised slice of one axis: start, stop (exclusive), step; and whether the axis is dropped. */
export interface AxisSlice {
  start: number;
  stop: number;
  step: number;
  shrink: boolean;
}

export interface StridedSliceSpec {
  begin: number[];
  end: number[];
  strides: number[];
  beginMask: number;
  endMask: number;
  shrinkMask: number;
}

/** Resolves TF StridedSlice arguments (no ellipsis / new-axis masks) against `shape`. */
export function resolveStridedSlice(shape: readonly number[], spec: StridedSliceSpec): AxisSlice[] {
  return shape.map((dim, i) => {
    if (i >= spec.begin.length) return { start: 0, stop: dim, step: 1, shrink: false };
    const step = spec.strides[i] ?? 1;
    const shrink = ((spec.shrinkMask >> i) & 1) === 1;
    const norm = (v: number) => (v < 0 ? v + dim : v);
    let start = (spec.beginMask >> i) & 1 ? (step > 0 ? 0 : dim - 1) : norm(spec.begin[i]);
    let stop = (spec.endMask >> i) & 1 ? (step > 0 ? dim : -1) : norm(spec.end[i]);
    if (shrink) {
      stop = start + 1;
      return { start, stop, step: 1, shrink };
    }
    if (step > 0) {
      start = Math.min(Math.max(start, 0), dim);
      stop = Math.min(Math.max(stop, 0), dim);
    } else {
      start = Math.min(Math.max(start, -1), dim - 1);
      stop = Math.min(Math.max(stop, -1), dim - 1);
    }
    return { start, stop, step, shrink };
  });
}

export const sliceLength = (a: AxisSlice): number => Math.max(0, Math.ceil((a.stop - a.start) / a.step));

/** Applies resolved axis slices to a constant. */
export function sliceConst(c: DecodedWeight, axes: readonly AxisSlice[]): DecodedWeight {
  const lens = axes.map(sliceLength);
  const inStr = stridesOf(c.shape);
  const n = size(lens);
  const out = c.dtype === 'int32' ? new Int32Array(n) : new Float32Array(n);
  const outStr = stridesOf(lens);
  for (let i = 0; i < n; i++) {
    let rem = i;
    let src = 0;
    for (let d = 0; d < lens.length; d++) {
      const q = Math.floor(rem / outStr[d]);
      rem -= q * outStr[d];
      src += (axes[d].start + q * axes[d].step) * inStr[d];
    }
    out[i] = c.data[src];
  }
  return { shape: lens.filter((_, d) => !axes[d].shrink), dtype: c.dtype, data: out };
}
