import { ACT_LINEAR, ACT_RELU, applyAct, storeLanes } from "../common/simd";

// @ts-ignore: decorator
@inline function creluBody(pixels: i32, c: i32, x: usize, xStride: i32, y: usize, yStride: i32, act: i32): void {
  const half = <usize>c << 2;
  for (let p = 0; p < pixels; p++) {
    const xp = x + (<usize>(p * xStride) << 2);
    const yp = y + (<usize>(p * yStride) << 2);
    const yn = yp + half;
    let j = 0;
    for (; j + 4 <= c; j += 4) {
      const o = <usize>j << 2;
      const v = v128.load(xp + o);
      v128.store(yp + o, applyAct(v, act));
      v128.store(yn + o, applyAct(f32x4.neg(v), act));
    }
    if (j < c) {
      const o = <usize>j << 2;
      const v = v128.load(xp + o);
      storeLanes(yp + o, applyAct(v, act), c - j);
      storeLanes(yn + o, applyAct(f32x4.neg(v), act), c - j);
    }
  }
}

/**
 * f32-copy-crelu-x4: CReLU as concat(x, -x) with a fused activation, per pixel:
 *   y[p][0:c] = act(x[p][0:c]),  y[p][c:2c] = act(-x[p][0:c])
 * (act relu gives CReLU, act linear gives plain concat(x, -x)). Pixel strides in floats.
 * In place is allowed when x == y with xStride == yStride (x already sits in the first half).
 * The activation branch is resolved once per call: relu and linear get their own loops.
 */
export function f32_copy_crelu_x4(pixels: i32, c: i32, x: usize, xStride: i32, y: usize, yStride: i32, act: i32): void {
  if (act == ACT_RELU) creluBody(pixels, c, x, xStride, y, yStride, ACT_RELU);
  else if (act == ACT_LINEAR) creluBody(pixels, c, x, xStride, y, yStride, ACT_LINEAR);
  else creluBody(pixels, c, x, xStride, y, yStride, act);
}
