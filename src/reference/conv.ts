import type { ActCode } from '../kernels/act.js';
import { refAct } from './act.js';

/** Geometry of a (grouped, dilated, padded, strided) convolution over NHWC tensors. */
export interface RefConvShape {
  inH: number;
  inW: number;
  cin: number;
  outH: number;
  outW: number;
  cout: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  dilH: number;
  dilW: number;
  padTop: number;
  padLeft: number;
  groups: number;
  /** Floats between consecutive input / output pixels (>= cin / cout). */
  xStride: number;
  yStride: number;
  act: ActCode;
}

/**
 * Plain direct convolution: y[oy][ox][o] = act(bias[o] + sum over ky, kx, ci of
 * x[oy*sh - padTop + ky*dh][ox*sw - padLeft + kx*dw][g*cinG + ci] * w[o][ky][kx][ci]),
 * g = floor(o / coutG); input outside the image reads as zero. Weights [cout][kh][kw][cin/groups]
 * (OHWI), bias [cout] or null. Only the cout channels of each output pixel are written.
 */
export function refConv(s: RefConvShape, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const cinG = s.cin / s.groups;
  const coutG = s.cout / s.groups;
  for (let oy = 0; oy < s.outH; oy++) {
    for (let ox = 0; ox < s.outW; ox++) {
      for (let o = 0; o < s.cout; o++) {
        const g = Math.floor(o / coutG);
        let acc = bias ? bias[o] : 0;
        for (let ky = 0; ky < s.kh; ky++) {
          const iy = oy * s.strideH - s.padTop + ky * s.dilH;
          if (iy < 0 || iy >= s.inH) continue;
          for (let kx = 0; kx < s.kw; kx++) {
            const ix = ox * s.strideW - s.padLeft + kx * s.dilW;
            if (ix < 0 || ix >= s.inW) continue;
            for (let ci = 0; ci < cinG; ci++) {
              acc += x[(iy * s.inW + ix) * s.xStride + g * cinG + ci] * w[((o * s.kh + ky) * s.kw + kx) * cinG + ci];
            }
          }
        }
        y[(oy * s.outW + ox) * s.yStride + o] = refAct(acc, s.act);
      }
    }
  }
}
