import type { ActCode } from '../kernels/act.js';
import { refAct } from './act.js';

/** Geometry of a transposed convolution over NHWC tensors. */
export interface RefDeconvShape {
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
  padTop: number;
  padLeft: number;
  xStride: number;
  yStride: number;
  act: ActCode;
}

/**
 * Plain transposed convolution in scatter form (TF Conv2DBackpropInput / ONNX ConvTranspose):
 * every input pixel adds x[iy][ix][ci] * w[o][ky][kx][ci] to output pixel
 * (iy*sh - padTop + ky, ix*sw - padLeft + kx) when that pixel exists; then
 * y = act(sum + bias). Weights [cout][kh][kw][cin] (OHWI), bias [cout] or null.
 * Only the cout channels of each output pixel are written.
 */
export function refDeconv(s: RefDeconvShape, x: Float32Array, w: Float32Array, bias: Float32Array | null, y: Float32Array): void {
  const acc = new Float64Array(s.outH * s.outW * s.cout);
  for (let p = 0; p < s.outH * s.outW; p++) for (let o = 0; o < s.cout; o++) acc[p * s.cout + o] = bias ? bias[o] : 0;
  for (let iy = 0; iy < s.inH; iy++) {
    for (let ix = 0; ix < s.inW; ix++) {
      for (let ky = 0; ky < s.kh; ky++) {
        const oy = iy * s.strideH - s.padTop + ky;
        if (oy < 0 || oy >= s.outH) continue;
        for (let kx = 0; kx < s.kw; kx++) {
          const ox = ix * s.strideW - s.padLeft + kx;
          if (ox < 0 || ox >= s.outW) continue;
          for (let o = 0; o < s.cout; o++) {
            let sum = 0;
            for (let ci = 0; ci < s.cin; ci++) {
              sum += x[(iy * s.inW + ix) * s.xStride + ci] * w[((o * s.kh + ky) * s.kw + kx) * s.cin + ci];
            }
            acc[(oy * s.outW + ox) * s.cout + o] += sum;
          }
        }
      }
    }
  }
  for (let p = 0; p < s.outH * s.outW; p++) {
    for (let o = 0; o < s.cout; o++) y[p * s.yStride + o] = refAct(acc[p * s.cout + o], s.act);
  }
}
