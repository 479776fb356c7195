import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkBuffer, checkInt, checkNoOverlap, checkStride, stridedExtent } from './validate.js';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'softmax',
    tile: 'x8',
    summary:
      'row-wise softmax over cols floats of each of rows strided rows (channel axis of NHWC pixels); subtracts the row max, exp by expx4; in place allowed',
    reference: 'src/reference/softmax.ts#refSoftmax',
  }),
];

export interface SoftmaxArgs {
  /** Rows (pixels). */
  rows: number;
  /** Floats per row (channels / classes). */
  cols: number;
  x: number;
  xStride?: number;
  y: number;
  yStride?: number;
}

/** Softmax over the last axis of a strided rows x cols view. In place when x == y, equal strides. */
export function softmax(k: Kernels, a: SoftmaxArgs): void {
  const name = 'f32-softmax-x8';
  const xStride = a.xStride ?? a.cols;
  const yStride = a.yStride ?? a.cols;
  checkInt(name, 'rows', a.rows, 0);
  checkInt(name, 'cols', a.cols, 0);
  checkStride(name, 'xStride', xStride, a.cols, 'cols');
  checkStride(name, 'yStride', yStride, a.cols, 'cols');
  const xn = stridedExtent(a.rows, a.cols, xStride);
  const yn = stridedExtent(a.rows, a.cols, yStride);
  checkBuffer(k, name, 'x', a.x, xn);
  checkBuffer(k, name, 'y', a.y, yn);
  if (!(a.x === a.y && xStride === yStride)) checkNoOverlap(name, 'y', a.y, yn, 'x', a.x, xn);
  if (a.rows === 0 || a.cols === 0) return;
  k.fn(name)(a.rows, a.cols, a.x, xStride, a.y, yStride);
}
