import { ShapeError } from '../errors.js';
import type { ActCode } from './act.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkAct, checkBuffer, checkInt, checkStride, checkViewsDisjoint, stridedExtent } from './validate.js';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'pool',
    tile: 'kxk',
    variant: 'max',
    summary:
      'NHWC max pooling, any kh x kw, strides, top/left padding (bottom/right implied by outH/outW; padding never wins), pixel strides, fused activation',
    reference: 'src/reference/pool.ts#refMaxPool',
  }),
  defineKernel({
    op: 'pool',
    tile: 'kxk',
    variant: 'avg',
    summary:
      'NHWC average pooling, any kh x kw, strides, top/left padding, divisor = valid pixels (TF SAME) or kh*kw (count_include_pad), pixel strides, fused activation',
    reference: 'src/reference/pool.ts#refAvgPool',
  }),
  defineKernel({
    op: 'pool',
    tile: 'global',
    variant: 'avg',
    summary: 'global average pool: y[c] = act(mean over pixels of x[p][c]), strided pixels (channel slices), for SE blocks and heads',
    reference: 'src/reference/pool.ts#refGlobalAvgPool',
  }),
];

/** Largest window / stride side accepted (kh * kw stays inside i32 in the kernel). */
export const MAX_POOL_WINDOW = 32768;

export interface PoolArgs {
  inH: number;
  inW: number;
  /** Channels. */
  c: number;
  x: number;
  /** Floats between consecutive input pixels (default c). */
  xStride?: number;
  outH: number;
  outW: number;
  y: number;
  /** Floats between consecutive output pixels (default c). */
  yStride?: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  /** Top padding (default 0); bottom padding is implied by outH. */
  padTop?: number;
  /** Left padding (default 0); right padding is implied by outW. */
  padLeft?: number;
  act: ActCode;
}

export interface AvgPoolArgs extends PoolArgs {
  /**
   * false: divide by the number of input pixels in the window (TF SAME, ONNX count_include_pad=0).
   * true: divide by kh*kw, padding counts as zeros (ONNX count_include_pad=1).
   */
  countIncludePad: boolean;
}

/** Implied bottom/right padding of one spatial dim (may be negative: unused trailing input). */
export function impliedPad(inSize: number, outSize: number, k: number, stride: number, padBefore: number): number {
  return (outSize - 1) * stride + k - padBefore - inSize;
}

interface Checked {
  xStride: number;
  yStride: number;
  padTop: number;
  padLeft: number;
}

function checkPool(k: Kernels, name: string, a: PoolArgs): Checked {
  const xStride = a.xStride ?? a.c;
  const yStride = a.yStride ?? a.c;
  const padTop = a.padTop ?? 0;
  const padLeft = a.padLeft ?? 0;
  for (const key of ['inH', 'inW', 'c', 'outH', 'outW'] as const) checkInt(name, key, a[key], 1);
  for (const key of ['kh', 'kw', 'strideH', 'strideW'] as const) checkInt(name, key, a[key], 1, MAX_POOL_WINDOW);
  checkInt(name, 'padTop', padTop, 0, a.kh - 1);
  checkInt(name, 'padLeft', padLeft, 0, a.kw - 1);
  // Every window must hold at least one input pixel: the last window must start inside the input.
  const padBottom = impliedPad(a.inH, a.outH, a.kh, a.strideH, padTop);
  if (padBottom >= a.kh) {
    throw new ShapeError(
      `${name}: argument 'outH' = ${a.outH} implies bottom padding ${padBottom} >= kh = ${a.kh} (inH ${a.inH}, strideH ${a.strideH}, padTop ${padTop}); the last window would hold no input row`,
    );
  }
  const padRight = impliedPad(a.inW, a.outW, a.kw, a.strideW, padLeft);
  if (padRight >= a.kw) {
    throw new ShapeError(
      `${name}: argument 'outW' = ${a.outW} implies right padding ${padRight} >= kw = ${a.kw} (inW ${a.inW}, strideW ${a.strideW}, padLeft ${padLeft}); the last window would hold no input column`,
    );
  }
  checkStride(name, 'xStride', xStride, a.c, 'c');
  checkStride(name, 'yStride', yStride, a.c, 'c');
  checkAct(name, a.act);
  const inPixels = a.inH * a.inW;
  const outPixels = a.outH * a.outW;
  checkBuffer(k, name, 'x', a.x, stridedExtent(inPixels, a.c, xStride));
  checkBuffer(k, name, 'y', a.y, stridedExtent(outPixels, a.c, yStride));
  checkViewsDisjoint(
    name,
    { name: 'y', ptr: a.y, rows: outPixels, cols: a.c, stride: yStride },
    { name: 'x', ptr: a.x, rows: inPixels, cols: a.c, stride: xStride },
    false,
  );
  return { xStride, yStride, padTop, padLeft };
}

/** NHWC max pooling (f32-pool-kxk-max). Padding is skipped, never compared as 0. */
export function maxPool(k: Kernels, a: PoolArgs): void {
  const name = 'f32-pool-kxk-max';
  const c = checkPool(k, name, a);
  k.fn(name)(a.inH, a.inW, a.c, a.x, c.xStride, a.outH, a.outW, a.y, c.yStride, a.kh, a.kw, a.strideH, a.strideW, c.padTop, c.padLeft, a.act);
}

/** NHWC average pooling (f32-pool-kxk-avg). */
export function avgPool(k: Kernels, a: AvgPoolArgs): void {
  const name = 'f32-pool-kxk-avg';
  const c = checkPool(k, name, a);
  if (typeof a.countIncludePad !== 'boolean') {
    throw new ShapeError(`${name}: argument 'countIncludePad' = ${String(a.countIncludePad)} must be true or false`);
  }
  k.fn(name)(
    a.inH, a.inW, a.c, a.x, c.xStride, a.outH, a.outW, a.y, c.yStride, a.kh, a.kw, a.strideH, a.strideW, c.padTop, c.padLeft,
    a.countIncludePad ? 1 : 0, a.act,
  );
}

export interface GlobalAvgPoolArgs {
  /** Pixels (H * W). */
  pixels: number;
  c: number;
  x: number;
  /** Floats between consecutive pixels of x (default c). */
  xStride?: number;
  /** c contiguous output floats. */
  y: number;
  act: ActCode;
}

/** y[c] = act(mean over pixels of x[p][c]) (f32-pool-global-avg). */
export function globalAvgPool(k: Kernels, a: GlobalAvgPoolArgs): void {
  const name = 'f32-pool-global-avg';
  const xStride = a.xStride ?? a.c;
  checkInt(name, 'pixels', a.pixels, 1);
  checkInt(name, 'c', a.c, 1);
  checkStride(name, 'xStride', xStride, a.c, 'c');
  checkAct(name, a.act);
  checkBuffer(k, name, 'x', a.x, stridedExtent(a.pixels, a.c, xStride));
  checkBuffer(k, name, 'y', a.y, a.c);
  checkViewsDisjoint(
    name,
    { name: 'y', ptr: a.y, rows: 1, cols: a.c, stride: a.c },
    { name: 'x', ptr: a.x, rows: a.pixels, cols: a.c, stride: xStride },
    false,
  );
  k.fn(name)(a.pixels, a.c, a.x, xStride, a.y, a.act);
}
