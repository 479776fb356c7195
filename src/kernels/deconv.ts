import { ShapeError } from '../errors.js';
import type { ActCode } from './act.js';
import { CONV_MAX_PARAM, packConvWeights, packedConvFloats } from './conv.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkAct, checkBuffer, checkInt, checkStride, checkViewsDisjoint, flatView, stridedExtent } from './validate.js';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'deconv',
    tile: '2x2s2',
    variant: '4x8',
    summary:
      'transposed conv 2x2 stride 2 (one tap per output pixel), top/left pad 0..1, NHWC pixel strides, fused bias+act; 4 same-phase pixels x 8 channels',
    reference: 'src/reference/deconv.ts#refDeconv',
  }),
  defineKernel({
    op: 'deconv',
    tile: '4x4s2',
    variant: '4x8',
    summary:
      'transposed conv 4x4 stride 2 (decoder x2 upsampling, usually pad 1), top/left pad 0..3, NHWC pixel strides, fused bias+act; gather, 4 same-phase pixels x 8 channels',
    reference: 'src/reference/deconv.ts#refDeconv',
  }),
  defineKernel({
    op: 'deconv',
    tile: 'kxk',
    variant: '4x8',
    summary:
      'general transposed conv: any kh/kw, stride, top/left pad (bottom/right and output padding implied by outH/outW), NHWC pixel strides, fused bias+act; gather per output pixel',
    reference: 'src/reference/deconv.ts#refDeconv',
  }),
];

/** Floats of packed deconv weights (the conv layout with groups 1). */
export function packedDeconvFloats(cout: number, kh: number, kw: number, cin: number): number {
  return packedConvFloats(cout, kh, kw, cin, 1);
}

/**
 * Packs transposed-conv weights [cout][kh][kw][cin] (OHWI, as TFLite TRANSPOSE_CONV) and bias
 * [cout] (or null) for the f32-deconv kernels: blocks of 8 output channels, bias[8] then
 * [ky][kx][ci][8] (the same layout as packConvWeights with groups 1). ONNX ConvTranspose
 * weights [cin][cout][kh][kw] must be transposed to OHWI first.
 */
export function packDeconvWeights(
  w: ArrayLike<number>, bias: ArrayLike<number> | null | undefined, cout: number, kh: number, kw: number, cin: number,
): Float32Array {
  return packConvWeights(w, bias, cout, kh, kw, cin, 1);
}

export interface DeconvArgs {
  inH: number;
  inW: number;
  cin: number;
  /** Input pointer (channel slice allowed), pixel stride xStride floats (default cin). */
  x: number;
  xStride?: number;
  outH: number;
  outW: number;
  cout: number;
  /** Output pointer (channel slice allowed), pixel stride yStride floats (default cout). */
  y: number;
  yStride?: number;
  /** Packed weights from packDeconvWeights (same kh, kw, cin, cout). */
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  /** Cropped rows / columns at the top / left; bottom / right (and output padding) follow from outH / outW. */
  padTop: number;
  padLeft: number;
  act: ActCode;
  /** Force a kernel (tests, benches); it must support the shape. Default: selectDeconvKernel. */
  kernel?: string;
}

type DeconvGeom = Pick<DeconvArgs, 'kh' | 'kw' | 'strideH' | 'strideW'>;

const KXK = 'f32-deconv-kxk-4x8';
const SPECIAL: Record<string, [number, number]> = {
  'f32-deconv-2x2s2-4x8': [2, 2],
  'f32-deconv-4x4s2-4x8': [4, 2],
};

/** 2x2 s2 -> f32-deconv-2x2s2-4x8, 4x4 s2 -> f32-deconv-4x4s2-4x8, else f32-deconv-kxk-4x8. */
export function selectDeconvKernel(a: DeconvGeom): string {
  for (const [name, [kk, ss]] of Object.entries(SPECIAL)) {
    if (a.kh === kk && a.kw === kk && a.strideH === ss && a.strideW === ss) return name;
  }
  return KXK;
}

/** Scratch floats the deconv kernels need: none (gather formulation, no accumulation buffer). */
export function deconvScratchFloats(): number {
  return 0;
}

/** Validates every argument, then runs the selected (or forced) transposed-conv kernel. */
export function deconv(k: Kernels, a: DeconvArgs): void {
  const name = a.kernel ?? selectDeconvKernel(a);
  if (name !== KXK && !(name in SPECIAL)) {
    throw new ShapeError(`deconv: kernel '${name}' is not a deconv kernel; use ${[...Object.keys(SPECIAL), KXK].join(', ')}`);
  }
  const xStride = a.xStride ?? a.cin;
  const yStride = a.yStride ?? a.cout;
  const M = CONV_MAX_PARAM;
  checkInt(name, 'inH', a.inH, 1);
  checkInt(name, 'inW', a.inW, 1);
  checkInt(name, 'cin', a.cin, 1);
  checkInt(name, 'outH', a.outH, 1);
  checkInt(name, 'outW', a.outW, 1);
  checkInt(name, 'cout', a.cout, 1);
  checkInt(name, 'kh', a.kh, 1, M);
  checkInt(name, 'kw', a.kw, 1, M);
  checkInt(name, 'strideH', a.strideH, 1, M);
  checkInt(name, 'strideW', a.strideW, 1, M);
  checkInt(name, 'padTop', a.padTop, 0, a.kh - 1);
  checkInt(name, 'padLeft', a.padLeft, 0, a.kw - 1);
  // outH = (inH-1)*strideH + kh - padTop - padBottom (+ output padding, < strideH).
  const padBottom = (a.inH - 1) * a.strideH + a.kh - a.padTop - a.outH;
  const padRight = (a.inW - 1) * a.strideW + a.kw - a.padLeft - a.outW;
  if (padBottom < 1 - a.strideH || padBottom > a.kh - 1) {
    throw new ShapeError(
      `${name}: argument 'outH' = ${a.outH} implies bottom cropping (inH-1)*strideH + kh - padTop - outH = ${padBottom}, which must be in [${1 - a.strideH}, ${a.kh - 1}] (negative = output padding)`,
    );
  }
  if (padRight < 1 - a.strideW || padRight > a.kw - 1) {
    throw new ShapeError(
      `${name}: argument 'outW' = ${a.outW} implies right cropping (inW-1)*strideW + kw - padLeft - outW = ${padRight}, which must be in [${1 - a.strideW}, ${a.kw - 1}] (negative = output padding)`,
    );
  }
  if (name in SPECIAL && selectDeconvKernel(a) !== name) {
    const [kk, ss] = SPECIAL[name];
    throw new ShapeError(`${name}: needs kh = kw = ${kk} and strideH = strideW = ${ss}; got ${a.kh}x${a.kw} s${a.strideH}x${a.strideW}`);
  }
  checkStride(name, 'xStride', xStride, a.cin, 'cin');
  checkStride(name, 'yStride', yStride, a.cout, 'cout');
  checkAct(name, a.act);
  const xFloats = stridedExtent(a.inH * a.inW, a.cin, xStride);
  const yFloats = stridedExtent(a.outH * a.outW, a.cout, yStride);
  const wFloats = packedDeconvFloats(a.cout, a.kh, a.kw, a.cin);
  checkBuffer(k, name, 'x', a.x, xFloats);
  checkBuffer(k, name, 'y', a.y, yFloats);
  checkBuffer(k, name, 'w', a.w, wFloats);
  const yView = { name: 'y', ptr: a.y, rows: a.outH * a.outW, cols: a.cout, stride: yStride };
  checkViewsDisjoint(name, yView, { name: 'x', ptr: a.x, rows: a.inH * a.inW, cols: a.cin, stride: xStride }, false);
  checkViewsDisjoint(name, yView, flatView('w', a.w, wFloats), false);
  if (name === KXK) {
    k.fn(name)(
      a.inH, a.inW, a.cin, a.x, xStride, a.outH, a.outW, a.cout, a.y, yStride, a.w,
      a.kh, a.kw, a.strideH, a.strideW, a.padTop, a.padLeft, a.act,
    );
  } else {
    k.fn(name)(a.inH, a.inW, a.cin, a.x, xStride, a.outH, a.outW, a.cout, a.y, yStride, a.w, a.padTop, a.padLeft, a.act);
  }
}
