import { ShapeError } from '../errors.js';
import type { Pads } from './ir.js';

/** Effective extent of a dilated kernel: (k - 1) * d + 1. */
export const effectiveKernel = (k: number, d = 1): number => (k - 1) * d + 1;

/** Output size of a convolution / pooling window along one axis (floor rule). */
export function convOutSize(size: number, k: number, s: number, d: number, padBefore: number, padAfter: number): number {
  return Math.floor((size + padBefore + padAfter - effectiveKernel(k, d)) / s) + 1;
}

/** TF 'SAME' along one axis: [padBefore, padAfter, outSize] (see tfSamePads). */
export function tfSamePadAxis(size: number, k: number, s: number, d = 1): [number, number, number] {
  const out = Math.ceil(size / s);
  const total = Math.max((out - 1) * s + effectiveKernel(k, d) - size, 0);
  const before = Math.floor(total / 2);
  return [before, total - before, out];
}

/**
 * TensorFlow / Keras 'SAME' padding: the output has ceil(H / s) rows;
 * total = max((ceil(H/s) - 1) * s + (k - 1) * d + 1 - H, 0), top = floor(total / 2), bottom = the rest
 * (so stride-2 convs on even inputs pad one more row at the bottom/right than at the top/left).
 * `k`, `s`, `d` may be a number (square) or [h, w]. Returns [top, left, bottom, right].
 */
export function tfSamePads(
  inH: number,
  inW: number,
  k: number | readonly [number, number],
  s: number | readonly [number, number] = 1,
  d: number | readonly [number, number] = 1,
): Pads {
  const pair = (v: number | readonly [number, number]): [number, number] => (typeof v === 'number' ? [v, v] : [v[0], v[1]]);
  const [kh, kw] = pair(k);
  const [sh, sw] = pair(s);
  const [dh, dw] = pair(d);
  for (const [label, v] of [['inH', inH], ['inW', inW], ['kernel', kh], ['kernel', kw], ['stride', sh], ['stride', sw], ['dilation', dh], ['dilation', dw]] as const) {
    if (!Number.isInteger(v) || v < 1) throw new ShapeError(`tfSamePads: ${label} must be a positive integer, got ${v}`);
  }
  const [top, bottom] = tfSamePadAxis(inH, kh, sh, dh);
  const [left, right] = tfSamePadAxis(inW, kw, sw, dw);
  return [top, left, bottom, right];
}

/**
 * Pads for a stride-`s` transposed convolution with kernel `k` whose output is `outSize` from an input of
 * `inSize` (along one axis): the full (uncropped) extent is (in - 1) * s + k, and the crop
 * (in - 1) * s + k - out is split floor(total / 2) before, the rest after. Throws if out > the full extent.
 */
export function deconvPadsAxis(inSize: number, outSize: number, k: number, s: number): [number, number] {
  const total = (inSize - 1) * s + k - outSize;
  if (total < 0) {
    throw new ShapeError(`deconvPadsAxis: output size ${outSize} exceeds the full extent (${inSize} - 1) * ${s} + ${k} = ${(inSize - 1) * s + k}`);
  }
  const before = Math.floor(total / 2);
  return [before, total - before];
}
