import { storeLanes } from "../common/simd";

/**
 * f32-copy-2d-x8: y[r*yStride + c] = x[r*xStride + c] for r < rows, c < cols (strides in floats).
 * Concat (each input into its channel slice of the output) and channel split are strided 2-D copies.
 * Contiguous views collapse to one row; long rows use memory.copy (bulk memory).
 * The host rejects views whose elements interleave; exact aliasing (x == y, same stride) is a no-op.
 */
export function f32_copy_2d_x8(rows: i32, cols: i32, x: usize, xStride: i32, y: usize, yStride: i32): void {
  if (xStride == cols && yStride == cols) {
    cols = rows * cols;
    rows = 1;
  }
  if (cols >= 64) {
    const bytes = <usize>cols << 2;
    for (let r = 0; r < rows; r++) {
      memory.copy(y + (<usize>(r * yStride) << 2), x + (<usize>(r * xStride) << 2), bytes);
    }
    return;
  }
  for (let r = 0; r < rows; r++) {
    const xr = x + (<usize>(r * xStride) << 2);
    const yr = y + (<usize>(r * yStride) << 2);
    let c = 0;
    for (; c + 8 <= cols; c += 8) {
      const o = <usize>c << 2;
      const a = v128.load(xr + o);
      const b = v128.load(xr + o, 16);
      v128.store(yr + o, a);
      v128.store(yr + o, b, 16);
    }
    for (; c < cols; c += 4) {
      const o = <usize>c << 2;
      storeLanes(yr + o, v128.load(xr + o), cols - c);
    }
  }
}
