import type { ActCode } from '../kernels/act.js';
import { refAct } from './act.js';

/**
 * Plain scalar pooling references. NHWC; pixel (iy, ix) of x starts at (iy * inW + ix) * xStride,
 * of y at (oy * outW + ox) * yStride. Bottom/right padding is implied by outH/outW.
 */
export interface RefPoolShape {
  inH: number;
  inW: number;
  c: number;
  xStride: number;
  outH: number;
  outW: number;
  yStride: number;
  kh: number;
  kw: number;
  strideH: number;
  strideW: number;
  padTop: number;
  padLeft: number;
}

/** y = act(max over the window's input pixels); padding is ignored (never compared). */
export function refMaxPool(s: RefPoolShape, x: Float32Array, y: Float32Array, act: ActCode): void {
  for (let oy = 0; oy < s.outH; oy++) {
    for (let ox = 0; ox < s.outW; ox++) {
      for (let ch = 0; ch < s.c; ch++) {
        let m = -Infinity;
        for (let ky = 0; ky < s.kh; ky++) {
          const iy = oy * s.strideH - s.padTop + ky;
          if (iy < 0 || iy >= s.inH) continue;
          for (let kx = 0; kx < s.kw; kx++) {
            const ix = ox * s.strideW - s.padLeft + kx;
            if (ix < 0 || ix >= s.inW) continue;
            m = Math.max(m, x[(iy * s.inW + ix) * s.xStride + ch]);
          }
        }
        y[(oy * s.outW + ox) * s.yStride + ch] = refAct(m, act);
      }
    }
  }
}

/**
 * y = act(sum of the window's input pixels / divisor); divisor = number of input pixels in the
 * window, or kh * kw when countIncludePad (padding counts as zeros).
 */
export function refAvgPool(s: RefPoolShape, x: Float32Array, y: Float32Array, countIncludePad: boolean, act: ActCode): void {
  for (let oy = 0; oy < s.outH; oy++) {
    for (let ox = 0; ox < s.outW; ox++) {
      for (let ch = 0; ch < s.c; ch++) {
        let sum = 0;
        let n = 0;
        for (let ky = 0; ky < s.kh; ky++) {
          const iy = oy * s.strideH - s.padTop + ky;
          if (iy < 0 || iy >= s.inH) continue;
          for (let kx = 0; kx < s.kw; kx++) {
            const ix = ox * s.strideW - s.padLeft + kx;
            if (ix < 0 || ix >= s.inW) continue;
            sum += x[(iy * s.inW + ix) * s.xStride + ch];
            n++;
          }
        }
        y[(oy * s.outW + ox) * s.yStride + ch] = refAct(sum / (countIncludePad ? s.kh * s.kw : n), act);
      }
    }
  }
}

/** y[ch] = act(mean over p < pixels of x[p * xStride + ch]). */
export function refGlobalAvgPool(pixels: number, c: number, x: Float32Array, xStride: number, y: Float32Array, act: ActCode): void {
  for (let ch = 0; ch < c; ch++) {
    let sum = 0;
    for (let p = 0; p < pixels; p++) sum += x[p * xStride + ch];
    y[ch] = refAct(sum / pixels, act);
  }
}
