import type { ActCode } from '../kernels/act.js';
import { refAct } from './act.js';

/** y[r*yStride + c] = x[r*xStride + c] for r < rows, c < cols. */
export function refCopy2d(rows: number, cols: number, x: Float32Array, xStride: number, y: Float32Array, yStride: number): void {
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) y[r * yStride + c] = x[r * xStride + c];
}

/**
 * ShuffleNet channel shuffle: per pixel, channels viewed as [groups][cpg] are written as
 * [cpg][groups]: y[p][i*groups + g] = x[p][g*cpg + i].
 */
export function refChannelShuffle(
  pixels: number, groups: number, cpg: number, x: Float32Array, xStride: number, y: Float32Array, yStride: number,
): void {
  for (let p = 0; p < pixels; p++) {
    for (let g = 0; g < groups; g++) {
      for (let i = 0; i < cpg; i++) y[p * yStride + i * groups + g] = x[p * xStride + g * cpg + i];
    }
  }
}

/** CReLU with fused activation: y[p][0:c] = act(x[p][0:c]), y[p][c:2c] = act(-x[p][0:c]). */
export function refCrelu(
  pixels: number, c: number, x: Float32Array, xStride: number, y: Float32Array, yStride: number, act: ActCode,
): void {
  for (let p = 0; p < pixels; p++) {
    for (let j = 0; j < c; j++) {
      const v = x[p * xStride + j];
      y[p * yStride + j] = refAct(v, act);
      y[p * yStride + c + j] = refAct(-v, act);
    }
  }
}
