import { applyAct, fmadd, storeLanes } from "../common/simd";
import { tapRange0, tapRange1 } from "./dwconv-common";

/**
 * f32-dwconv-kxk-x4: generic depthwise convolution (any kh, kw, strides, dilations, paddings),
 * NHWC, channel multiplier 1. For oy < outH, ox < outW, ch < c:
 *   y[oy][ox][ch] = act(bias[ch] + sum_{ky<kh, kx<kw} x[oy*strideH - padTop + ky*dilationH]
 *                                                    [ox*strideW - padLeft + kx*dilationW][ch] * w[ky][kx][ch])
 * Input pixels outside [0, inH) x [0, inW) read as zero (bottom/right padding implied by outH/outW).
 * w: packDwconvWeights(.., kh, kw): per 4-channel block bias[4] then kh*kw taps of 4.
 * One output pixel at a time, only the taps inside the input are visited; the fallback when no
 * specialised kernel matches. Writes only channels [0, c); reads at most 12 bytes past a pixel.
 */
export function f32_dwconv_kxk_x4(inH: i32, inW: i32, c: i32, x: usize, xStride: i32, outH: i32, outW: i32, y: usize, yStride: i32, w: usize,
  kh: i32, kw: i32, padTop: i32, padLeft: i32, strideH: i32, strideW: i32, dilationH: i32, dilationW: i32, act: i32): void {
  const xs4 = <usize>xStride << 2;
  const ys4 = <usize>yStride << 2;
  const dhRow = <usize>dilationH * <usize>inW * xs4;
  const dwCol = <usize>dilationW * xs4;
  const bb = <usize>(1 + kh * kw) << 4;
  const nb = (c + 3) >> 2;
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - padTop;
    const ky0 = tapRange0(iy0, dilationH);
    const ky1 = tapRange1(iy0, dilationH, inH, kh, ky0);
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * strideW - padLeft;
      const kx0 = tapRange0(ix0, dilationW);
      const kx1 = tapRange1(ix0, dilationW, inW, kw, kx0);
      const xp = x + <usize>((iy0 + ky0 * dilationH) * inW + ix0 + kx0 * dilationW) * xs4;
      const yp = y + <usize>(oy * outW + ox) * ys4;
      for (let cb = 0; cb < nb; cb++) {
        const wb = w + <usize>cb * bb;
        let acc = v128.load(wb);
        let rp = xp + (<usize>cb << 4);
        let wr = wb + 16 + (<usize>(ky0 * kw + kx0) << 4);
        for (let ky = ky0; ky < ky1; ky++) {
          let p = rp;
          let wp = wr;
          for (let kx = kx0; kx < kx1; kx++) {
            acc = fmadd(v128.load(p), v128.load(wp), acc);
            p += dwCol;
            wp += 16;
          }
          rp += dhRow;
          wr += <usize>kw << 4;
        }
        storeLanes(yp + (<usize>cb << 4), applyAct(acc, act), c - (cb << 2));
      }
    }
  }
}
