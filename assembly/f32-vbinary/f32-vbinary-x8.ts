import { applyAct, storeLanes } from "../common/simd";

/** Binary op codes (mirrors BinaryOp in src/kernels/vbinary.ts). */
export const OP_ADD: i32 = 0;
export const OP_SUB: i32 = 1;
export const OP_MUL: i32 = 2;
export const OP_MAX: i32 = 3;
export const OP_MIN: i32 = 4;
export const OP_DIV: i32 = 5;
export const OP_PRELU: i32 = 6;

/** a OP b on four lanes (a predictable branch chain on the runtime op code). */
// @ts-ignore: decorator
@inline export function binop(op: i32, a: v128, b: v128): v128 {
  if (op == OP_ADD) return f32x4.add(a, b);
  if (op == OP_SUB) return f32x4.sub(a, b);
  if (op == OP_MUL) return f32x4.mul(a, b);
  if (op == OP_MAX) return f32x4.max(a, b);
  if (op == OP_MIN) return f32x4.min(a, b);
  if (op == OP_DIV) return f32x4.div(a, b);
  // prelu: a >= 0 ? a : a * b (b: the negative slope)
  return v128.bitselect(a, f32x4.mul(a, b), f32x4.ge(a, f32x4.splat(0)));
}

// @ts-ignore: decorator
@inline function rowsLoop(
  op: i32, rows: i32, cols: i32, a: usize, aStride: i32, b: usize, bStride: i32, y: usize, yStride: i32, act: i32,
): void {
  for (let r = 0; r < rows; r++) {
    const ar = a + (<usize>(r * aStride) << 2);
    const br = b + (<usize>(r * bStride) << 2);
    const yr = y + (<usize>(r * yStride) << 2);
    let c = 0;
    for (; c + 8 <= cols; c += 8) {
      const o = <usize>c << 2;
      const v0 = applyAct(binop(op, v128.load(ar + o), v128.load(br + o)), act);
      const v1 = applyAct(binop(op, v128.load(ar + o, 16), v128.load(br + o, 16)), act);
      v128.store(yr + o, v0);
      v128.store(yr + o, v1, 16);
    }
    for (; c < cols; c += 4) {
      const o = <usize>c << 2;
      storeLanes(yr + o, applyAct(binop(op, v128.load(ar + o), v128.load(br + o)), act), cols - c);
    }
  }
}

/**
 * f32-vbinary-x8: y[r][c] = act(a[r][c] OP b[r][c]) over a rows x cols strided view, 8 floats
 * per step. op: 0 add, 1 sub (a - b), 2 mul, 3 max, 4 min, 5 div (a / b),
 * 6 prelu (a >= 0 ? a : a * b). Strides in floats; bStride 0
 * broadcasts one b row (a per-channel vector: bias add, per-channel scale, SE gate) over all
 * rows. In place (y == a or y == b with equal strides) is allowed. The op and activation
 * branches are taken per vector (always the same way, so predicted). One specialised loop per
 * op (5 non-inlined functions) measured no faster on the bench shapes and was 5x the code.
 */
export function f32_vbinary_x8(
  op: i32, rows: i32, cols: i32, a: usize, aStride: i32, b: usize, bStride: i32, y: usize, yStride: i32, act: i32,
): void {
  rowsLoop(op, rows, cols, a, aStride, b, bStride, y, yStride, act);
}
