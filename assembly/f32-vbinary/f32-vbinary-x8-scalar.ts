import { applyAct, storeLanes } from "../common/simd";
import { binop } from "./f32-vbinary-x8";

// @ts-ignore: decorator
@inline function rowsLoopScalar(
  op: i32, rows: i32, cols: i32, a: usize, aStride: i32, sv: v128, y: usize, yStride: i32, act: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const ar = a + (<usize>(r * aStride) << 2);
    const yr = y + (<usize>(r * yStride) << 2);
    let c = 0;
    for (; c + 8 <= cols; c += 8) {
      const o = <usize>c << 2;
      const v0 = applyAct(binop(op, v128.load(ar + o), sv), act);
      const v1 = applyAct(binop(op, v128.load(ar + o, 16), sv), act);
      v128.store(yr + o, v0);
      v128.store(yr + o, v1, 16);
    }
    for (; c < cols; c += 4) {
      const o = <usize>c << 2;
      storeLanes(yr + o, applyAct(binop(op, v128.load(ar + o), sv), act), cols - c);
    }
  }
}

/**
 * f32-vbinary-x8-scalar: y[r][c] = act(a[r][c] OP s) for a scalar s, over a rows x cols
 * strided view (importers' constant patterns: x + 3, x * (1/6), max(x, 0), min(x, 6)).
 * Op codes as f32-vbinary-x8 (sub is a - s). In place (y == a, equal strides) is allowed.
 */
export function f32_vbinary_x8_scalar(
  op: i32, rows: i32, cols: i32, a: usize, aStride: i32, s: f32, y: usize, yStride: i32, act: i32,
): void {
  const sv = f32x4.splat(s);
  rowsLoopScalar(op, rows, cols, a, aStride, sv, y, yStride, act);
}
