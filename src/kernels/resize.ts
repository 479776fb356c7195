import { ShapeError } from '../errors.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkBuffer, checkInt, checkNoOverlap, checkStride, stridedExtent } from './validate.js';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'resize',
    tile: 'bilinear',
    variant: 'x4',
    summary:
      'NHWC bilinear resize of one image as tf.image.resize_bilinear (mode 0 legacy, 1 align_corners, 2 half_pixel); pixel strides; f64 coordinates; no overlap',
    reference: 'src/reference/resize.ts#refResizeBilinear',
  }),
  defineKernel({
    op: 'resize',
    tile: 'nearest',
    variant: 'x4',
    summary:
      'NHWC nearest resize of one image; mode = coord (0 legacy, 1 align_corners, 2 half_pixel) | rounding << 2 (floor, ceil, round_prefer_floor, round_prefer_ceil); pixel strides; no overlap',
    reference: 'src/reference/resize.ts#refResizeNearest',
  }),
];

/**
 * Source-coordinate modes (TF names; ONNX coordinate_transformation_mode in brackets):
 * - 'legacy'        src = dst * in / out                          ['asymmetric']
 * - 'align_corners' src = dst * (in - 1) / (out - 1), out > 1     ['align_corners']
 * - 'half_pixel'    src = (dst + 0.5) * in / out - 0.5            ['half_pixel'; 'pytorch_half_pixel' equals it
 *                   unless out == 1, where PyTorch uses src = 0]
 * ONNX computes with its `scales` (out / in when only sizes are given), so for non-integer given
 * scales an importer must check the resulting sizes; the formulas here use in / out.
 */
export type ResizeMode = 'legacy' | 'align_corners' | 'half_pixel';
const MODES: Record<ResizeMode, number> = { legacy: 0, align_corners: 1, half_pixel: 2 };

/**
 * Nearest rounding of the source coordinate (then clamped to [0, in - 1]). Defaults reproduce
 * TF / TF.js ResizeNearestNeighbor: 'floor' for legacy, 'round_prefer_ceil' (Math.round) for
 * align_corners and half_pixel (TF's floor((dst + 0.5) * in / out) is round_prefer_ceil of the
 * half-pixel coordinate). ONNX Resize nearest: nearest_mode as named here; its default
 * (half_pixel + 'round_prefer_floor') differs from TF on ties, e.g. 4 -> 2 picks 0, 2 not 1, 3.
 */
export type NearestRounding = 'floor' | 'ceil' | 'round_prefer_floor' | 'round_prefer_ceil';
const ROUNDINGS: Record<NearestRounding, number> = { floor: 0, ceil: 1, round_prefer_floor: 2, round_prefer_ceil: 3 };
const TF_ROUNDING: Record<ResizeMode, NearestRounding> = {
  legacy: 'floor',
  align_corners: 'round_prefer_ceil',
  half_pixel: 'round_prefer_ceil',
};

export interface ResizeArgs {
  /** Images (default 1); image n is at x + 4*n*inH*inW*xStride and y + 4*n*outH*outW*yStride. */
  batch?: number;
  inH: number;
  inW: number;
  c: number;
  x: number;
  /** Floats between input pixels (default c). */
  xStride?: number;
  outH: number;
  outW: number;
  y: number;
  /** Floats between output pixels (default c). */
  yStride?: number;
  /** Default 'legacy' (TF's align_corners=false, half_pixel_centers=false). */
  mode?: ResizeMode;
}

export interface ResizeNearestArgs extends ResizeArgs {
  /** Default: TF's rounding for `mode`. */
  rounding?: NearestRounding;
}

function modeCode(kernel: string, mode: string): number {
  if (!Object.prototype.hasOwnProperty.call(MODES, mode)) {
    throw new ShapeError(`${kernel}: argument 'mode' = ${String(mode)} must be one of ${Object.keys(MODES).join(', ')}`);
  }
  return MODES[mode as ResizeMode];
}

function roundingCode(kernel: string, rounding: string): number {
  if (!Object.prototype.hasOwnProperty.call(ROUNDINGS, rounding)) {
    throw new ShapeError(`${kernel}: argument 'rounding' = ${String(rounding)} must be one of ${Object.keys(ROUNDINGS).join(', ')}`);
  }
  return ROUNDINGS[rounding as NearestRounding];
}

function run(k: Kernels, name: string, a: ResizeArgs, mode: number): void {
  const batch = a.batch ?? 1;
  const xStride = a.xStride ?? a.c;
  const yStride = a.yStride ?? a.c;
  checkInt(name, 'batch', batch, 0);
  checkInt(name, 'inH', a.inH, 1);
  checkInt(name, 'inW', a.inW, 1);
  checkInt(name, 'c', a.c, 0);
  checkInt(name, 'outH', a.outH, 0);
  checkInt(name, 'outW', a.outW, 0);
  checkStride(name, 'xStride', xStride, a.c, 'c');
  checkStride(name, 'yStride', yStride, a.c, 'c');
  const xn = stridedExtent(batch * a.inH * a.inW, a.c, xStride);
  const yn = stridedExtent(batch * a.outH * a.outW, a.c, yStride);
  checkBuffer(k, name, 'x', a.x, xn);
  checkBuffer(k, name, 'y', a.y, yn);
  checkNoOverlap(name, 'y', a.y, yn, 'x', a.x, xn);
  if (batch === 0 || a.c === 0 || a.outH === 0 || a.outW === 0) return;
  const f = k.fn(name);
  const xImage = 4 * a.inH * a.inW * xStride;
  const yImage = 4 * a.outH * a.outW * yStride;
  for (let n = 0; n < batch; n++) {
    f(a.inH, a.inW, a.c, a.x + n * xImage, xStride, a.outH, a.outW, a.y + n * yImage, yStride, mode);
  }
}

/** tf.image.resize_bilinear on NHWC images (strided pixel views allowed). */
export function resizeBilinear(k: Kernels, a: ResizeArgs): void {
  const name = 'f32-resize-bilinear-x4';
  run(k, name, a, modeCode(name, a.mode ?? 'legacy'));
}

/** tf.image.resize_nearest_neighbor on NHWC images; `rounding` selects ONNX nearest_mode rules. */
export function resizeNearest(k: Kernels, a: ResizeNearestArgs): void {
  const name = 'f32-resize-nearest-x4';
  const mode = a.mode ?? 'legacy';
  const coord = modeCode(name, mode);
  const rounding = roundingCode(name, a.rounding ?? TF_ROUNDING[mode]);
  run(k, name, a, coord | (rounding << 2));
}
