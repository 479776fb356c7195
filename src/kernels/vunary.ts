import type { ActCode } from './act.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkAct, checkBuffer, checkInt, checkStride, stridedExtent } from './validate.js';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'vunary',
    tile: 'x8',
    summary: 'y = act(x) over a strided rows x cols view; any activation code; in place allowed',
    reference: 'src/reference/vunary.ts#refVunary',
  }),
];

export interface VunaryArgs {
  rows: number;
  cols: number;
  x: number;
  xStride?: number;
  y: number;
  yStride?: number;
  act: ActCode;
}

/** Standalone activation over a strided 2-D view (e.g. a channel slice of an NHWC tensor). */
export function vunary(k: Kernels, a: VunaryArgs): void {
  const name = 'f32-vunary-x8';
  const xStride = a.xStride ?? a.cols;
  const yStride = a.yStride ?? a.cols;
  checkInt(name, 'rows', a.rows, 0);
  checkInt(name, 'cols', a.cols, 0);
  checkStride(name, 'xStride', xStride, a.cols, 'cols');
  checkStride(name, 'yStride', yStride, a.cols, 'cols');
  checkAct(name, a.act);
  checkBuffer(k, name, 'x', a.x, stridedExtent(a.rows, a.cols, xStride));
  checkBuffer(k, name, 'y', a.y, stridedExtent(a.rows, a.cols, yStride));
  if (a.rows === 0 || a.cols === 0) return;
  k.fn(name)(a.rows, a.cols, a.x, xStride, a.y, yStride, a.act);
}
