import { applyAct, storeLanes } from "../common/simd";

/**
 * f32-vunary-x8: y = act(x) over a 2-D strided view (rows x cols floats), 8 floats per step.
 * Strides are in floats. In-place (x == y with equal strides) is allowed.
 */
export function f32_vunary_x8(rows: i32, cols: i32, x: usize, xStride: i32, y: usize, yStride: i32, act: i32): void {
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * xStride) << 2);
    const yr = y + (<usize>(r * yStride) << 2);
    let c = 0;
    for (; c + 8 <= cols; c += 8) {
      const o = <usize>c << 2;
      const a = applyAct(v128.load(xr + o), act);
      const b = applyAct(v128.load(xr + o + 16), act);
      v128.store(yr + o, a);
      v128.store(yr + o + 16, b);
    }
    for (; c < cols; c += 4) {
      const o = <usize>c << 2;
      storeLanes(yr + o, applyAct(v128.load(xr + o), act), cols - c);
    }
  }
}
