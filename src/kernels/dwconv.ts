import { ShapeError } from '../errors.js';
import { convOutSize } from '../graph/padding.js';
import type { ActCode } from './act.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkAct, checkBuffer, checkInt, checkStride, checkViewsDisjoint, flatView, stridedExtent } from './validate.js';

/**
 * f32 depthwise convolution (NHWC, channel multiplier 1).
 *
 * Geometry: for oy < outH, ox < outW, ch < c
 *   y[oy][ox][ch] = act(bias[ch] + sum_{ky,kx} x[oy*strideH - padTop + ky*dilationH]
 *                                               [ox*strideW - padLeft + kx*dilationW][ch] * w[ky][kx][ch])
 * Input pixels outside [0, inH) x [0, inW) read as zero. Top/left padding is explicit; the
 * bottom/right padding is implied by outH/outW (see `dwconv` for the rule they must satisfy).
 */
const REF = 'src/reference/dwconv.ts#refDwconv';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'dwconv',
    tile: '3x3',
    variant: 'x4',
    summary: 'depthwise 3x3, strideW 1 (strideH, dilations, paddings free), 4 output pixels x 4 channels per step, fused bias+act',
    reference: REF,
  }),
  defineKernel({
    op: 'dwconv',
    tile: '3x3s2',
    variant: 'x4',
    summary: 'depthwise 3x3, strideW 2 (strideH, dilations, paddings free), 4 output pixels x 4 channels per step, fused bias+act',
    reference: REF,
  }),
  defineKernel({
    op: 'dwconv',
    tile: '5x5',
    variant: 'x4',
    summary: 'depthwise 5x5, strideW 1 (strideH, dilations, paddings free), 4 output pixels x 4 channels per step, fused bias+act',
    reference: REF,
  }),
  defineKernel({
    op: 'dwconv',
    tile: '5x5s2',
    variant: 'x4',
    summary: 'depthwise 5x5, strideW 2 (strideH, dilations, paddings free), 4 output pixels x 4 channels per step, fused bias+act',
    reference: REF,
  }),
  defineKernel({
    op: 'dwconv',
    tile: 'kxk',
    variant: 'x4',
    summary: 'generic depthwise kh x kw, any strides/dilations/paddings, 1 output pixel x 4 channels per step (fallback)',
    reference: REF,
  }),
];

/** Specialised kernels by `${kh}x${kw}s${strideW}`; everything else runs f32-dwconv-kxk-x4. */
const SPECIALISED: Record<string, string> = {
  '3x3s1': 'f32-dwconv-3x3-x4',
  '3x3s2': 'f32-dwconv-3x3s2-x4',
  '5x5s1': 'f32-dwconv-5x5-x4',
  '5x5s2': 'f32-dwconv-5x5s2-x4',
};
export const DWCONV_GENERIC = 'f32-dwconv-kxk-x4';

/**
 * The kernel `dwconv` runs for a kernel size and horizontal stride: the specialised 3x3/5x5
 * kernels for strideW 1 or 2 (any strideH, dilation and padding), else the generic kxk kernel.
 */
export function selectDwconvKernel(kh: number, kw: number, strideW: number): string {
  return SPECIALISED[`${kh}x${kw}s${strideW}`] ?? DWCONV_GENERIC;
}

/** Floats of packDwconvWeights output: ceil(c/4) blocks of 4 * (1 + kh*kw). */
export function packedDwconvSize(c: number, kh: number, kw: number): number {
  return Math.ceil(c / 4) * 4 * (1 + kh * kw);
}

/**
 * Packs depthwise weights `[kh][kw][c]` (TF/TFLite layout) and an optional bias `[c]` into the
 * kernels' layout: per 4-channel block, bias[4] then the kh*kw taps (row-major) of 4 channels;
 * channels padded to a multiple of 4 with zeros.
 */
export function packDwconvWeights(weights: ArrayLike<number>, bias: ArrayLike<number> | null, c: number, kh: number, kw: number): Float32Array {
  const name = 'packDwconvWeights';
  checkInt(name, 'c', c, 1);
  checkInt(name, 'kh', kh, 1, MAX_KERNEL);
  checkInt(name, 'kw', kw, 1, MAX_KERNEL);
  if (weights.length !== kh * kw * c) {
    throw new ShapeError(`${name}: weights has ${weights.length} values but [kh][kw][c] = [${kh}][${kw}][${c}] needs ${kh * kw * c}`);
  }
  if (bias && bias.length !== c) {
    throw new ShapeError(`${name}: bias has ${bias.length} values but c = ${c}`);
  }
  const taps = kh * kw;
  const block = 4 * (1 + taps);
  const out = new Float32Array(packedDwconvSize(c, kh, kw));
  for (let ch = 0; ch < c; ch++) {
    const b = ch >> 2;
    const lane = ch & 3;
    const base = b * block;
    if (bias) out[base + lane] = bias[ch];
    for (let t = 0; t < taps; t++) out[base + 4 * (1 + t) + lane] = weights[t * c + ch];
  }
  return out;
}

export const MAX_KERNEL = 64;
export const MAX_STRIDE = 64;
export const MAX_DILATION = 64;
export const MAX_PAD = 1 << 16;

export interface DwconvArgs {
  inH: number;
  inW: number;
  c: number;
  /** Input pointer (first channel of pixel (0, 0)); pixels xStride floats apart, rows inW pixels. */
  x: number;
  /** Floats between consecutive input pixels (default c). */
  xStride?: number;
  outH: number;
  outW: number;
  y: number;
  /** Floats between consecutive output pixels (default c). */
  yStride?: number;
  /** Pointer to weights packed by packDwconvWeights(.., c, kh, kw). */
  w: number;
  kh: number;
  kw: number;
  strideH?: number;
  strideW?: number;
  dilationH?: number;
  dilationW?: number;
  padTop?: number;
  padLeft?: number;
  /** Optional: when given, outH must equal convOutSize(inH, kh, strideH, dilationH, padTop, padBottom). */
  padBottom?: number;
  /** Optional: when given, outW must equal convOutSize(inW, kw, strideW, dilationW, padLeft, padRight). */
  padRight?: number;
  act: ActCode;
  /** Force a kernel: the generic 'f32-dwconv-kxk-x4' or the one selectDwconvKernel picks (tests, benches). */
  kernel?: string;
}

function checkOutSize(
  kernel: string, dim: 'H' | 'W', out: number, size: number, k: number, s: number, d: number, before: number, after: number | undefined,
): void {
  const outName = `out${dim}`;
  const beforeName = dim === 'H' ? 'padTop' : 'padLeft';
  const afterName = dim === 'H' ? 'padBottom' : 'padRight';
  if (after !== undefined) {
    checkInt(kernel, afterName, after, 0, MAX_PAD);
    const want = convOutSize(size, k, s, d, before, after);
    if (want < 1) {
      throw new ShapeError(
        `${kernel}: the padded input (${size} + ${beforeName} ${before} + ${afterName} ${after}) is smaller than the dilated kernel extent ${(k - 1) * d + 1} along ${dim}`,
      );
    }
    if (out !== want) {
      throw new ShapeError(
        `${kernel}: argument '${outName}' = ${out} must equal floor((${size} + ${before} + ${after} - ${(k - 1) * d + 1}) / ${s}) + 1 = ${want} for the given paddings`,
      );
    }
    return;
  }
  // Implied trailing padding: every output window must start at or before the last input
  // row/column, i.e. (out - 1) * stride - padBefore <= size - 1 (trailing padding <= extent - 1).
  const max = Math.floor((size - 1 + before) / s) + 1;
  if (out > max) {
    throw new ShapeError(
      `${kernel}: argument '${outName}' = ${out} is too large for input ${size} with ${beforeName} ${before} and stride ${s}: ` +
        `the last output window must start inside the input ((${outName} - 1) * stride - ${beforeName} <= ${size - 1}), so ${outName} <= ${max}`,
    );
  }
}

/**
 * Depthwise convolution y = act(dwconv(x, w) + bias) on NHWC pixel-strided buffers. Validates every
 * argument, then runs the kernel chosen by selectDwconvKernel. Returns the kernel name it ran.
 *
 * Rules: inH, inW >= 1; c >= 0 (0: nothing to do); outH, outW >= 0; kh, kw in [1, 64];
 * strides and dilations in [1, 64]; paddings in [0, 65536]; xStride, yStride >= c.
 * Bottom/right padding is implied by outH/outW: without padBottom, outH must satisfy
 * (outH - 1) * strideH - padTop <= inH - 1 (every output row's window starts at or above the last
 * input row; rows that see no input at all - e.g. under a large padTop - are act(bias)); with
 * padBottom, outH must equal floor((inH + padTop + padBottom - ((kh-1)*dilationH + 1)) / strideH) + 1.
 * Same for outW / padLeft / padRight. x, y, w must lie in kernel memory; y may not overlap x or w,
 * except that x and y may interleave as disjoint channel slices of one tensor with equal strides.
 */
export function dwconv(k: Kernels, a: DwconvArgs): string {
  const strideH = a.strideH ?? 1;
  const strideW = a.strideW ?? 1;
  const dilationH = a.dilationH ?? 1;
  const dilationW = a.dilationW ?? 1;
  const padTop = a.padTop ?? 0;
  const padLeft = a.padLeft ?? 0;
  const selected = selectDwconvKernel(a.kh, a.kw, strideW);
  const name = a.kernel ?? selected;
  if (name !== selected && name !== DWCONV_GENERIC) {
    throw new ShapeError(
      `dwconv: kernel '${name}' cannot run kh=${a.kh} kw=${a.kw} strideW=${strideW}; use '${selected}' or '${DWCONV_GENERIC}'`,
    );
  }
  checkInt(name, 'inH', a.inH, 1);
  checkInt(name, 'inW', a.inW, 1);
  checkInt(name, 'c', a.c, 0);
  checkInt(name, 'outH', a.outH, 0);
  checkInt(name, 'outW', a.outW, 0);
  checkInt(name, 'kh', a.kh, 1, MAX_KERNEL);
  checkInt(name, 'kw', a.kw, 1, MAX_KERNEL);
  checkInt(name, 'strideH', strideH, 1, MAX_STRIDE);
  checkInt(name, 'strideW', strideW, 1, MAX_STRIDE);
  checkInt(name, 'dilationH', dilationH, 1, MAX_DILATION);
  checkInt(name, 'dilationW', dilationW, 1, MAX_DILATION);
  checkInt(name, 'padTop', padTop, 0, MAX_PAD);
  checkInt(name, 'padLeft', padLeft, 0, MAX_PAD);
  checkAct(name, a.act);
  const xStride = a.xStride ?? a.c;
  const yStride = a.yStride ?? a.c;
  checkStride(name, 'xStride', xStride, a.c, 'c');
  checkStride(name, 'yStride', yStride, a.c, 'c');
  checkOutSize(name, 'H', a.outH, a.inH, a.kh, strideH, dilationH, padTop, a.padBottom);
  checkOutSize(name, 'W', a.outW, a.inW, a.kw, strideW, dilationW, padLeft, a.padRight);
  if (a.c === 0 || a.outH === 0 || a.outW === 0) return name;
  const xFloats = stridedExtent(a.inH * a.inW, a.c, xStride);
  const yFloats = stridedExtent(a.outH * a.outW, a.c, yStride);
  const wFloats = packedDwconvSize(a.c, a.kh, a.kw);
  // Kernel offsets are 32-bit: keep every byte offset well inside the address space.
  if ((a.inH * a.inW + a.outH * a.outW) * Math.max(xStride, yStride) * 4 > 0x7fffffff) {
    throw new ShapeError(`${name}: tensor of ${a.inH}x${a.inW} / ${a.outH}x${a.outW} pixels with strides ${xStride}/${yStride} exceeds the 2 GiB kernel address space`);
  }
  checkBuffer(k, name, 'x', a.x, xFloats);
  checkBuffer(k, name, 'y', a.y, yFloats);
  checkBuffer(k, name, 'w', a.w, wFloats);
  const yView = { name: 'y', ptr: a.y, rows: a.outH * a.outW, cols: a.c, stride: yStride };
  checkViewsDisjoint(name, yView, { name: 'x', ptr: a.x, rows: a.inH * a.inW, cols: a.c, stride: xStride }, false);
  checkViewsDisjoint(name, yView, flatView('w', a.w, wFloats), false);
  if (name === DWCONV_GENERIC) {
    k.fn(name)(a.inH, a.inW, a.c, a.x, xStride, a.outH, a.outW, a.y, yStride, a.w, a.kh, a.kw, padTop, padLeft, strideH, strideW, dilationH, dilationW, a.act);
  } else {
    k.fn(name)(a.inH, a.inW, a.c, a.x, xStride, a.outH, a.outW, a.y, yStride, a.w, padTop, padLeft, strideH, strideW, dilationH, dilationW, a.act);
  }
  return name;
}
