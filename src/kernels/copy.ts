import { BufferError, ShapeError } from '../errors.js';
import type { ActCode } from './act.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkAct, checkBuffer, checkInt, checkNoOverlap, checkStride, checkViewsDisjoint, stridedExtent } from './validate.js';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'copy',
    tile: '2d',
    variant: 'x8',
    summary:
      'y = x over strided rows x cols views (concat into / split out of channel slices); contiguous views collapse to one memory.copy; views must not share elements unless identical',
    reference: 'src/reference/copy.ts#refCopy2d',
  }),
  defineKernel({
    op: 'copy',
    tile: 'shuffle',
    variant: 'x4',
    summary:
      'ShuffleNet channel shuffle y[p][i*groups+g] = x[p][g*cpg+i] with pixel strides; SIMD for groups 2, 3 and multiples of 4, scalar otherwise; no overlap',
    reference: 'src/reference/copy.ts#refChannelShuffle',
  }),
  defineKernel({
    op: 'copy',
    tile: 'crelu',
    variant: 'x4',
    summary: 'CReLU y[p] = [act(x[p]), act(-x[p])] (c -> 2c channels) with pixel strides; in place when x is the first half of y',
    reference: 'src/reference/copy.ts#refCrelu',
  }),
];

export interface Copy2dArgs {
  rows: number;
  cols: number;
  x: number;
  /** Floats between rows of x (default cols). */
  xStride?: number;
  y: number;
  /** Floats between rows of y (default cols). */
  yStride?: number;
}

/** y = x over a strided rows x cols view (e.g. one input of a channel concat, or a channel split). */
export function copy2d(k: Kernels, a: Copy2dArgs): void {
  const name = 'f32-copy-2d-x8';
  const xStride = a.xStride ?? a.cols;
  const yStride = a.yStride ?? a.cols;
  checkInt(name, 'rows', a.rows, 0);
  checkInt(name, 'cols', a.cols, 0);
  checkStride(name, 'xStride', xStride, a.cols, 'cols');
  checkStride(name, 'yStride', yStride, a.cols, 'cols');
  checkBuffer(k, name, 'x', a.x, stridedExtent(a.rows, a.cols, xStride));
  checkBuffer(k, name, 'y', a.y, stridedExtent(a.rows, a.cols, yStride));
  if (a.rows === 0 || a.cols === 0) return;
  if (a.x === a.y && xStride === yStride) return; // identical views: nothing to move
  checkViewsDisjoint(name, { name: 'y', ptr: a.y, rows: a.rows, cols: a.cols, stride: yStride }, { name: 'x', ptr: a.x, rows: a.rows, cols: a.cols, stride: xStride }, false);
  k.fn(name)(a.rows, a.cols, a.x, xStride, a.y, yStride);
}

export interface ConcatInput {
  x: number;
  /** Channels of this input. */
  c: number;
  /** Floats between pixels of this input (default c). */
  xStride?: number;
}

export interface ConcatChannelsArgs {
  pixels: number;
  inputs: readonly ConcatInput[];
  y: number;
  /** Floats between pixels of y (default: the sum of the inputs' channels). */
  yStride?: number;
}

/** NHWC concat on the channel axis: one copy2d per input into its channel slice of y. */
export function concatChannels(k: Kernels, a: ConcatChannelsArgs): void {
  const name = 'f32-copy-2d-x8';
  checkInt(name, 'pixels', a.pixels, 0);
  if (!Array.isArray(a.inputs) || a.inputs.length === 0) {
    throw new ShapeError(`${name}: argument 'inputs' must be a non-empty array of { x, c, xStride? } (concatChannels)`);
  }
  let total = 0;
  a.inputs.forEach((inp, i) => {
    checkInt(name, `inputs[${i}].c`, inp.c, 0);
    total += inp.c;
  });
  const yStride = a.yStride ?? total;
  checkStride(name, 'yStride', yStride, total, 'the sum of the input channels');
  checkBuffer(k, name, 'y', a.y, stridedExtent(a.pixels, total, yStride));
  let off = 0;
  for (const inp of a.inputs) {
    const xStride = inp.xStride ?? inp.c;
    const slice = a.y + 4 * off;
    // An input already in its slice (planner aliasing) is skipped by copy2d; any other input must
    // not live anywhere in the output, or an earlier copy would overwrite it before it is read.
    if (!(inp.x === slice && xStride === yStride)) {
      checkViewsDisjoint(name, { name: 'y', ptr: a.y, rows: a.pixels, cols: total, stride: yStride }, { name: 'x', ptr: inp.x, rows: a.pixels, cols: inp.c, stride: xStride }, false);
    }
    copy2d(k, { rows: a.pixels, cols: inp.c, x: inp.x, xStride, y: slice, yStride });
    off += inp.c;
  }
}

export interface SplitChannelsArgs {
  pixels: number;
  x: number;
  /** Floats between pixels of x (default: the sum of the outputs' channels). */
  xStride?: number;
  outputs: ReadonlyArray<{ y: number; c: number; yStride?: number }>;
}

/** NHWC split on the channel axis: one copy2d per output from its channel slice of x. */
export function splitChannels(k: Kernels, a: SplitChannelsArgs): void {
  const name = 'f32-copy-2d-x8';
  checkInt(name, 'pixels', a.pixels, 0);
  if (!Array.isArray(a.outputs) || a.outputs.length === 0) {
    throw new ShapeError(`${name}: argument 'outputs' must be a non-empty array of { y, c, yStride? } (splitChannels)`);
  }
  let total = 0;
  a.outputs.forEach((o, i) => {
    checkInt(name, `outputs[${i}].c`, o.c, 0);
    total += o.c;
  });
  const xStride = a.xStride ?? total;
  checkStride(name, 'xStride', xStride, total, 'the sum of the output channels');
  let off = 0;
  for (const o of a.outputs) {
    copy2d(k, { rows: a.pixels, cols: o.c, x: a.x + 4 * off, xStride, y: o.y, yStride: o.yStride ?? o.c });
    off += o.c;
  }
}

export interface ChannelShuffleArgs {
  pixels: number;
  groups: number;
  /** Channels per pixel (groups * channels per group). */
  c: number;
  x: number;
  xStride?: number;
  y: number;
  yStride?: number;
}

/** ShuffleNet channel shuffle of `pixels` pixels: [groups][c/groups] -> [c/groups][groups]. */
export function channelShuffle(k: Kernels, a: ChannelShuffleArgs): void {
  const name = 'f32-copy-shuffle-x4';
  const xStride = a.xStride ?? a.c;
  const yStride = a.yStride ?? a.c;
  checkInt(name, 'pixels', a.pixels, 0);
  checkInt(name, 'groups', a.groups, 1);
  checkInt(name, 'c', a.c, 0);
  if (a.c % a.groups !== 0) {
    throw new ShapeError(`${name}: argument 'c' = ${a.c} must be divisible by 'groups' = ${a.groups}`);
  }
  checkStride(name, 'xStride', xStride, a.c, 'c');
  checkStride(name, 'yStride', yStride, a.c, 'c');
  const xn = stridedExtent(a.pixels, a.c, xStride);
  const yn = stridedExtent(a.pixels, a.c, yStride);
  checkBuffer(k, name, 'x', a.x, xn);
  checkBuffer(k, name, 'y', a.y, yn);
  checkNoOverlap(name, 'y', a.y, yn, 'x', a.x, xn);
  if (a.pixels === 0 || a.c === 0) return;
  k.fn(name)(a.pixels, a.groups, a.c / a.groups, a.x, xStride, a.y, yStride);
}

export interface CreluArgs {
  pixels: number;
  /** Input channels; the output has 2c. */
  c: number;
  x: number;
  xStride?: number;
  y: number;
  /** Floats between output pixels (default 2c). */
  yStride?: number;
  /** Activation applied to both halves (relu for CReLU, linear for concat(x, -x)). */
  act: ActCode;
}

/** CReLU: y[p] = [act(x[p]), act(-x[p])]. In place when x == y and xStride == yStride. */
export function crelu(k: Kernels, a: CreluArgs): void {
  const name = 'f32-copy-crelu-x4';
  const xStride = a.xStride ?? a.c;
  const yStride = a.yStride ?? 2 * a.c;
  checkInt(name, 'pixels', a.pixels, 0);
  checkInt(name, 'c', a.c, 0);
  checkStride(name, 'xStride', xStride, a.c, 'c');
  checkStride(name, 'yStride', yStride, 2 * a.c, '2 * c');
  checkAct(name, a.act);
  const xn = stridedExtent(a.pixels, a.c, xStride);
  const yn = stridedExtent(a.pixels, 2 * a.c, yStride);
  checkBuffer(k, name, 'x', a.x, xn);
  checkBuffer(k, name, 'y', a.y, yn);
  if (!(a.x === a.y && xStride === yStride)) checkNoOverlap(name, 'y', a.y, yn, 'x', a.x, xn);
  if (a.pixels === 0 || a.c === 0) return;
  k.fn(name)(a.pixels, a.c, a.x, xStride, a.y, yStride, a.act);
}
