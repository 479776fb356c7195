import { expx4, storeLanes } from "../common/simd";

// @ts-ignore: decorator
@inline function tailMask(count: i32): v128 {
  return i32x4.lt_s(i32x4(0, 1, 2, 3), i32x4.splat(count));
}

// @ts-ignore: decorator
@inline function hmax(v: v128): f32 {
  v = f32x4.max(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  v = f32x4.max(v, v128.shuffle<f32>(v, v, 1, 0, 3, 2));
  return f32x4.extract_lane(v, 0);
}

// @ts-ignore: decorator
@inline function hsum(v: v128): f32 {
  v = f32x4.add(v, v128.shuffle<f32>(v, v, 2, 3, 0, 1));
  v = f32x4.add(v, v128.shuffle<f32>(v, v, 1, 0, 3, 2));
  return f32x4.extract_lane(v, 0);
}

/** Column c of four rows as one vector (lane i = row i). */
// @ts-ignore: decorator
@inline function col4(r0: usize, r1: usize, r2: usize, r3: usize, o: usize): v128 {
  let v = f32x4.splat(load<f32>(r0 + o));
  v = f32x4.replace_lane(v, 1, load<f32>(r1 + o));
  v = f32x4.replace_lane(v, 2, load<f32>(r2 + o));
  return f32x4.replace_lane(v, 3, load<f32>(r3 + o));
}

/** Rows with fewer than SMALL_COLS floats are done four rows at a time, one row per lane. */
const SMALL_COLS: i32 = 8;

/**
 * f32-softmax-x8: y[r][:] = softmax(x[r][:]) over the cols floats of each of `rows` rows
 * (strides in floats), numerically stable: e = exp(x - max(x)), y = e / sum(e), exp by expx4.
 * Rows shorter than 8 floats (e.g. 2-class segmentation logits) go four rows per vector, one row
 * per lane, recomputing exp instead of re-reading y. In place is allowed (x == y, equal strides).
 */
export function f32_softmax_x8(rows: i32, cols: i32, x: usize, xStride: i32, y: usize, yStride: i32): void {
  const ninf = f32x4.splat(-Infinity);
  const zero = f32x4.splat(0);
  let r = 0;
  if (cols < SMALL_COLS) {
    const xs4 = <usize>xStride << 2;
    const ys4 = <usize>yStride << 2;
    for (; r + 4 <= rows; r += 4) {
      const x0 = x + (<usize>(r * xStride) << 2);
      const x1 = x0 + xs4;
      const x2 = x1 + xs4;
      const x3 = x2 + xs4;
      let m = col4(x0, x1, x2, x3, 0);
      for (let c = 1; c < cols; c++) m = f32x4.max(m, col4(x0, x1, x2, x3, <usize>c << 2));
      let s = zero;
      for (let c = 0; c < cols; c++) s = f32x4.add(s, expx4(f32x4.sub(col4(x0, x1, x2, x3, <usize>c << 2), m)));
      const inv = f32x4.div(f32x4.splat(1.0), s);
      const y0 = y + (<usize>(r * yStride) << 2);
      const y1 = y0 + ys4;
      const y2 = y1 + ys4;
      const y3 = y2 + ys4;
      for (let c = 0; c < cols; c++) {
        const o = <usize>c << 2;
        const e = f32x4.mul(expx4(f32x4.sub(col4(x0, x1, x2, x3, o), m)), inv);
        v128.store32_lane(y0 + o, e, 0);
        v128.store32_lane(y1 + o, e, 1);
        v128.store32_lane(y2 + o, e, 2);
        v128.store32_lane(y3 + o, e, 3);
      }
    }
  }
  for (; r < rows; r++) {
    const xr = x + (<usize>(r * xStride) << 2);
    const yr = y + (<usize>(r * yStride) << 2);
    // pass 1: row max (pmax: one maxps on x64; a NaN input still makes the row NaN in pass 2)
    let m0 = ninf;
    let m1 = ninf;
    let c = 0;
    for (; c + 8 <= cols; c += 8) {
      const o = <usize>c << 2;
      m0 = f32x4.pmax(m0, v128.load(xr + o));
      m1 = f32x4.pmax(m1, v128.load(xr + o, 16));
    }
    for (; c + 4 <= cols; c += 4) m0 = f32x4.max(m0, v128.load(xr + (<usize>c << 2)));
    if (c < cols) m1 = f32x4.max(m1, v128.bitselect(v128.load(xr + (<usize>c << 2)), ninf, tailMask(cols - c)));
    const mv = f32x4.splat(hmax(f32x4.max(m0, m1)));
    // pass 2: e = exp(x - max) into y, sum e
    let s0 = zero;
    let s1 = zero;
    c = 0;
    for (; c + 8 <= cols; c += 8) {
      const o = <usize>c << 2;
      const e0 = expx4(f32x4.sub(v128.load(xr + o), mv));
      const e1 = expx4(f32x4.sub(v128.load(xr + o, 16), mv));
      v128.store(yr + o, e0);
      v128.store(yr + o, e1, 16);
      s0 = f32x4.add(s0, e0);
      s1 = f32x4.add(s1, e1);
    }
    for (; c < cols; c += 4) {
      const o = <usize>c << 2;
      const e = expx4(f32x4.sub(v128.load(xr + o), mv));
      storeLanes(yr + o, e, cols - c);
      s0 = f32x4.add(s0, v128.bitselect(e, zero, tailMask(cols - c)));
    }
    // pass 3: scale by 1 / sum
    const inv = f32x4.splat(<f32>1.0 / hsum(f32x4.add(s0, s1)));
    c = 0;
    for (; c + 8 <= cols; c += 8) {
      const o = <usize>c << 2;
      v128.store(yr + o, f32x4.mul(v128.load(yr + o), inv));
      v128.store(yr + o, f32x4.mul(v128.load(yr + o, 16), inv), 16);
    }
    for (; c < cols; c += 4) {
      const o = <usize>c << 2;
      storeLanes(yr + o, f32x4.mul(v128.load(yr + o), inv), cols - c);
    }
  }
}
