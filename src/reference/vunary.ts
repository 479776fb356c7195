import type { ActCode } from '../kernels/act.js';
import { refAct } from './act.js';

/** y[r*yStride + c] = act(x[r*xStride + c]) for r < rows, c < cols. */
export function refVunary(
  rows: number, cols: number, x: Float32Array, xStride: number, y: Float32Array, yStride: number, act: ActCode,
): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[r * yStride + c] = refAct(x[r * xStride + c], act);
}
