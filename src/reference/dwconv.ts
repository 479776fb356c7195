import type { ActCode } from '../kernels/act.js';
import { refAct } from './act.js';

/** Geometry and data of one depthwise convolution for the reference (plain arrays, unpacked weights). */
export interface RefDwconvArgs {
  inH: number;
  inW: number;
  c: number;
  /** Input, NHWC: channel ch of pixel (iy, ix) at x[(iy*inW + ix)*xStride + ch]. */
  x: Float32Array;
  xStride: number;
  outH: number;
  outW: number;
  /** Output, written at y[(oy*outW + ox)*yStride + ch] for ch < c only. */
  y: Float32Array;
  yStride: number;
  /** Weights [kh][kw][c]. */
  w: Float32Array;
  /** Bias [c], or null for zeros. */
  bias: Float32Array | null;
  kh: number;
  kw: number;
  padTop: number;
  padLeft: number;
  strideH: number;
  strideW: number;
  dilationH: number;
  dilationW: number;
  act: ActCode;
}

/**
 * y[oy][ox][ch] = act(bias[ch] + sum_{ky,kx} x[oy*strideH - padTop + ky*dilationH][ox*strideW - padLeft + kx*dilationW][ch]
 *                                            * w[ky][kx][ch]), input pixels outside the image being zero.
 * Accumulates in double precision.
 */
export function refDwconv(a: RefDwconvArgs): void {
  for (let oy = 0; oy < a.outH; oy++) {
    for (let ox = 0; ox < a.outW; ox++) {
      for (let ch = 0; ch < a.c; ch++) {
        let acc = a.bias ? a.bias[ch] : 0;
        for (let ky = 0; ky < a.kh; ky++) {
          const iy = oy * a.strideH - a.padTop + ky * a.dilationH;
          if (iy < 0 || iy >= a.inH) continue;
          for (let kx = 0; kx < a.kw; kx++) {
            const ix = ox * a.strideW - a.padLeft + kx * a.dilationW;
            if (ix < 0 || ix >= a.inW) continue;
            acc += a.x[(iy * a.inW + ix) * a.xStride + ch] * a.w[(ky * a.kw + kx) * a.c + ch];
          }
        }
        a.y[(oy * a.outW + ox) * a.yStride + ch] = refAct(acc, a.act);
      }
    }
  }
}
