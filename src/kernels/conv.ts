import { ShapeError } from '../errors.js';
import type { ActCode } from './act.js';
import type { Kernels } from './loader.js';
import { defineKernel, type KernelInfo } from './types.js';
import { checkAct, checkBuffer, checkInt, checkStride, checkViewsDisjoint, flatView, stridedExtent } from './validate.js';

export const kernels: KernelInfo[] = [
  defineKernel({
    op: 'conv',
    tile: '3x3s2',
    variant: 'c3',
    summary:
      'MobileNet stem: 3x3 stride 2 conv over a contiguous 3-channel input, groups 1, any top/left pad, output pixel stride, fused bias+act; 4 pixels x 8 channels',
    reference: 'src/reference/conv.ts#refConv',
  }),
  defineKernel({
    op: 'conv',
    tile: 'kxk',
    variant: '4x8',
    summary:
      'general grouped direct conv: any kh/kw, stride, dilation, top/left pad (bottom/right implied), groups; NHWC pixel strides, fused bias+act; 4 pixels x 8 channels',
    reference: 'src/reference/conv.ts#refConv',
  }),
];

/** Output channels per packed weight block (both conv kernels). */
export const CONV_BLOCK = 8;
/** Largest kernel size, stride, dilation and padding the wrappers accept (keeps kernel index math in i32). */
export const CONV_MAX_PARAM = 4096;

/**
 * Floats of the packed weights: per group ceil(coutG / 8) blocks of
 * 8 (bias) + kh*kw*(cin/groups)*8 (taps [ky][kx][ci][8]).
 */
export function packedConvFloats(cout: number, kh: number, kw: number, cin: number, groups = 1): number {
  const cinG = cin / groups;
  const coutG = cout / groups;
  return groups * Math.ceil(coutG / CONV_BLOCK) * CONV_BLOCK * (1 + kh * kw * cinG);
}

/**
 * Packs conv weights [cout][kh][kw][cin/groups] (OHWI) and bias [cout] (or null: zeros) into the
 * layout of f32-conv-kxk-4x8 / f32-conv-3x3s2-c3: per group, blocks of 8 output channels, each
 * bias[8] then [ky][kx][ci][8]; channels past coutG are zero.
 */
export function packConvWeights(
  w: ArrayLike<number>, bias: ArrayLike<number> | null | undefined,
  cout: number, kh: number, kw: number, cin: number, groups = 1,
): Float32Array {
  const name = 'packConvWeights';
  checkInt(name, 'cout', cout, 1);
  checkInt(name, 'kh', kh, 1, CONV_MAX_PARAM);
  checkInt(name, 'kw', kw, 1, CONV_MAX_PARAM);
  checkInt(name, 'cin', cin, 1);
  checkInt(name, 'groups', groups, 1);
  checkGroups(name, cin, cout, groups);
  const cinG = cin / groups;
  const coutG = cout / groups;
  if (w.length !== cout * kh * kw * cinG) {
    throw new ShapeError(`${name}: weights have ${w.length} values but [cout][kh][kw][cin/groups] = [${cout}][${kh}][${kw}][${cinG}] needs ${cout * kh * kw * cinG}`);
  }
  if (bias && bias.length !== cout) {
    throw new ShapeError(`${name}: bias has ${bias.length} values but cout = ${cout}`);
  }
  const nB = Math.ceil(coutG / CONV_BLOCK);
  const taps = kh * kw * cinG;
  const blockFloats = CONV_BLOCK * (1 + taps);
  const out = new Float32Array(packedConvFloats(cout, kh, kw, cin, groups));
  for (let g = 0; g < groups; g++) {
    for (let b = 0; b < nB; b++) {
      const base = (g * nB + b) * blockFloats;
      for (let j = 0; j < CONV_BLOCK; j++) {
        const oc = b * CONV_BLOCK + j;
        if (oc >= coutG) break;
        const o = g * coutG + oc;
        out[base + j] = bias ? bias[o] : 0;
        for (let t = 0; t < taps; t++) out[base + CONV_BLOCK + t * CONV_BLOCK + j] = w[o * taps + t];
      }
    }
  }
  return out;
}

function checkGroups(name: string, cin: number, cout: number, groups: number): void {
  if (cin % groups !== 0) throw new ShapeError(`${name}: argument 'cin' = ${cin} must be divisible by groups = ${groups}`);
  if (cout % groups !== 0) throw new ShapeError(`${name}: argument 'cout' = ${cout} must be divisible by groups = ${groups}`);
}

export interface ConvArgs {
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
  /** Packed weights from packConvWeights (same kh, kw, cin, cout, groups). */
  w: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilH?: number;
  dilW?: number;
  /** Top / left zero padding; bottom / right follow from outH / outW. */
  padTop: number;
  padLeft: number;
  groups?: number;
  act: ActCode;
  /** Force a kernel (tests, benches); it must support the shape. Default: selectConvKernel. */
  kernel?: string;
}

type ConvGeom = Pick<ConvArgs, 'cin' | 'xStride' | 'kh' | 'kw' | 'strideH' | 'strideW' | 'dilH' | 'dilW' | 'groups'>;

/** Whether f32-conv-3x3s2-c3 supports this geometry (3x3 s2 d1, 3 contiguous input channels, groups 1). */
export function isConvStem(a: ConvGeom): boolean {
  return (
    a.kh === 3 && a.kw === 3 && a.strideH === 2 && a.strideW === 2 && (a.dilH ?? 1) === 1 && (a.dilW ?? 1) === 1 &&
    a.cin === 3 && (a.xStride ?? a.cin) === 3 && (a.groups ?? 1) === 1
  );
}

/**
 * The kernel conv() runs: f32-conv-3x3s2-c3 for 3x3 stride 2 dilation 1 over a contiguous
 * 3-channel input (xStride 3) with groups 1, else f32-conv-kxk-4x8.
 */
export function selectConvKernel(a: ConvGeom): string {
  return isConvStem(a) ? 'f32-conv-3x3s2-c3' : 'f32-conv-kxk-4x8';
}

/** Scratch floats the conv kernels need: none (they clip tap ranges instead of padding). */
export function convScratchFloats(): number {
  return 0;
}

/** Validates every argument, then runs the selected (or forced) conv kernel. */
export function conv(k: Kernels, a: ConvArgs): void {
  const groups = a.groups ?? 1;
  const dilH = a.dilH ?? 1;
  const dilW = a.dilW ?? 1;
  const name = a.kernel ?? selectConvKernel(a);
  if (name !== 'f32-conv-3x3s2-c3' && name !== 'f32-conv-kxk-4x8') {
    throw new ShapeError(`conv: kernel '${name}' is not a conv kernel; use f32-conv-3x3s2-c3 or f32-conv-kxk-4x8`);
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
  checkInt(name, 'dilH', dilH, 1, M);
  checkInt(name, 'dilW', dilW, 1, M);
  checkInt(name, 'groups', groups, 1);
  checkGroups(name, a.cin, a.cout, groups);
  const effH = (a.kh - 1) * dilH + 1;
  const effW = (a.kw - 1) * dilW + 1;
  checkInt(name, 'padTop', a.padTop, 0, effH - 1);
  checkInt(name, 'padLeft', a.padLeft, 0, effW - 1);
  const padBottom = (a.outH - 1) * a.strideH + effH - a.inH - a.padTop;
  const padRight = (a.outW - 1) * a.strideW + effW - a.inW - a.padLeft;
  if (padBottom < 1 - a.strideH || padBottom > effH - 1) {
    throw new ShapeError(
      `${name}: argument 'outH' = ${a.outH} implies bottom padding (outH-1)*strideH + (kh-1)*dilH + 1 - inH - padTop = ${padBottom}, which must be in [${1 - a.strideH}, ${effH - 1}]`,
    );
  }
  if (padRight < 1 - a.strideW || padRight > effW - 1) {
    throw new ShapeError(
      `${name}: argument 'outW' = ${a.outW} implies right padding (outW-1)*strideW + (kw-1)*dilW + 1 - inW - padLeft = ${padRight}, which must be in [${1 - a.strideW}, ${effW - 1}]`,
    );
  }
  if (name === 'f32-conv-3x3s2-c3' && !isConvStem({ ...a, xStride, dilH, dilW, groups })) {
    throw new ShapeError(
      `${name}: needs kh = kw = 3, strideH = strideW = 2, dilation 1, cin = xStride = 3, groups = 1; got ${a.kh}x${a.kw} s${a.strideH}x${a.strideW} d${dilH}x${dilW} cin ${a.cin} xStride ${xStride} groups ${groups}`,
    );
  }
  checkStride(name, 'xStride', xStride, a.cin, 'cin');
  checkStride(name, 'yStride', yStride, a.cout, 'cout');
  checkAct(name, a.act);
  const xFloats = stridedExtent(a.inH * a.inW, a.cin, xStride);
  const yFloats = stridedExtent(a.outH * a.outW, a.cout, yStride);
  const wFloats = packedConvFloats(a.cout, a.kh, a.kw, a.cin, groups);
  checkBuffer(k, name, 'x', a.x, xFloats);
  checkBuffer(k, name, 'y', a.y, yFloats);
  checkBuffer(k, name, 'w', a.w, wFloats);
  const yView = { name: 'y', ptr: a.y, rows: a.outH * a.outW, cols: a.cout, stride: yStride };
  checkViewsDisjoint(name, yView, { name: 'x', ptr: a.x, rows: a.inH * a.inW, cols: a.cin, stride: xStride }, false);
  checkViewsDisjoint(name, yView, flatView('w', a.w, wFloats), false);
  if (name === 'f32-conv-3x3s2-c3') {
    k.fn(name)(a.inH, a.inW, a.x, a.outH, a.outW, a.cout, a.y, yStride, a.w, a.padTop, a.padLeft, a.act);
  } else {
    k.fn(name)(
      a.inH, a.inW, a.cin, a.x, xStride, a.outH, a.outW, a.cout, a.y, yStride, a.w,
      a.kh, a.kw, a.strideH, a.strideW, dilH, dilW, a.padTop, a.padLeft, groups, a.act,
    );
  }
}
