import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkBuffer, checkInt } from './validate.js';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'peak',
    tile: '12x4',
    summary: 'benchmark ceiling: 12 independent f32x4 multiply-add chains in registers, 96 FLOP per iteration',
    reference: 'src/reference/peak.ts#refPeak',
  }),
];

/** FLOPs of one f32-peak-12x4 call. */
export const peakFlops = (iters: number): number => iters * 96;

/** Runs the peak loop; io holds a, m, c (12 floats) and receives the 4-lane result. */
export function peak(k: Kernels, iters: number, io: number): void {
  checkInt('f32-peak-12x4', 'iters', iters, 0);
  checkBuffer(k, 'f32-peak-12x4', 'io', io, 12);
  k.fn('f32-peak-12x4')(iters, io);
}
