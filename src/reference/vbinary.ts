import type { ActCode } from '../kernels/act.js';
import { refAct } from './act.js';

/** Binary op codes: 0 add, 1 sub (a - b), 2 mul, 3 max, 4 min, 5 div (a / b), 6 prelu (a >= 0 ? a : a * b). */
export function refBinop(op: number, a: number, b: number): number {
  switch (op) {
    case 0:
      return a + b;
    case 1:
      return a - b;
    case 2:
      return a * b;
    case 3:
      return Math.max(a, b);
    case 4:
      return Math.min(a, b);
    case 5:
      return Math.fround(a / b);
    case 6:
      return a >= 0 ? a : Math.fround(a * b);
    default:
      throw new Error(`unknown binary op code ${op}`);
  }
}

/**
 * y[r*yStride + c] = act(a[r*aStride + c] OP b[r*bStride + c]) for r < rows, c < cols
 * (bStride 0: one b row broadcast over all rows). Reads every input before writing, so it is
 * also the reference for in-place calls when given copies.
 */
export function refVbinary(
  op: number, rows: number, cols: number, a: Float32Array, aStride: number, b: Float32Array, bStride: number,
  y: Float32Array, yStride: number, act: ActCode,
): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) y[r * yStride + c] = refAct(refBinop(op, a[r * aStride + c], b[r * bStride + c]), act);
  }
}

/** y[r*yStride + c] = act(a[r*aStride + c] OP s), s rounded to float32 as the kernel sees it. */
export function refVbinaryScalar(
  op: number, rows: number, cols: number, a: Float32Array, aStride: number, s: number, y: Float32Array, yStride: number, act: ActCode,
): void {
  const sf = Math.fround(s);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[r * yStride + c] = refAct(refBinop(op, a[r * aStride + c], sf), act);
}

/** SE channel gate: y[p*yStride + c] = act(x[p*xStride + c] * g[c]). */
export function refSeGate(
  pixels: number, c: number, x: Float32Array, xStride: number, g: Float32Array, y: Float32Array, yStride: number, act: ActCode,
): void {
  refVbinary(2, pixels, c, x, xStride, g, 0, y, yStride, act);
}
