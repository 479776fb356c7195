import { applyAct, storeLanes } from "../common/simd";

/**
 * f32-pool-kxk-avg: NHWC average pooling, kh x kw window, strides, padding (top/left given,
 * bottom/right implied by outH/outW), fused activation.
 *   y[oy][ox][c] = act(sum over valid (ky, kx) of x[...][c] / divisor)
 * divisor = number of input pixels inside the window (countIncludePad == 0, TF SAME / ONNX
 * count_include_pad=0), or kh * kw (countIncludePad != 0, ONNX count_include_pad=1; padded
 * positions count as zeros, including the implied bottom/right padding).
 * Pixel layout and strides as f32-pool-kxk-max. Every window must contain at least one input
 * pixel (the host wrapper checks it). SIMD over channels: 16 per step, then 4, then lanes.
 */
export function f32_pool_kxk_avg(
  inH: i32, inW: i32, c: i32, x: usize, xStride: i32,
  outH: i32, outW: i32, y: usize, yStride: i32,
  kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32,
  countIncludePad: i32, act: i32,
): void {
  const pixB = <usize>xStride << 2;
  const rowB = <usize>(inW * xStride) << 2;
  const fullInv = f32x4.splat(<f32>1.0 / <f32>(kh * kw));
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - padTop;
    const ky0 = max(0, -iy0);
    const ky1 = min(kh, inH - iy0);
    const nky = ky1 - ky0;
    for (let ox = 0; ox < outW; ox++) {
      const ix0 = ox * strideW - padLeft;
      const kx0 = max(0, -ix0);
      const kx1 = min(kw, inW - ix0);
      const nkx = kx1 - kx0;
      const inv = countIncludePad != 0 ? fullInv : f32x4.splat(<f32>1.0 / <f32>(nky * nkx));
      const base = x + (<usize>(((iy0 + ky0) * inW + ix0 + kx0) * xStride) << 2);
      const yp = y + (<usize>((oy * outW + ox) * yStride) << 2);
      let ch = 0;
      for (; ch + 16 <= c; ch += 16) {
        const p0 = base + (<usize>ch << 2);
        let s0 = f32x4.splat(0);
        let s1 = f32x4.splat(0);
        let s2 = f32x4.splat(0);
        let s3 = f32x4.splat(0);
        let row = p0;
        for (let ky = 0; ky < nky; ky++) {
          let p = row;
          for (let kx = 0; kx < nkx; kx++) {
            s0 = f32x4.add(s0, v128.load(p));
            s1 = f32x4.add(s1, v128.load(p, 16));
            s2 = f32x4.add(s2, v128.load(p, 32));
            s3 = f32x4.add(s3, v128.load(p, 48));
            p += pixB;
          }
          row += rowB;
        }
        const q = yp + (<usize>ch << 2);
        v128.store(q, applyAct(f32x4.mul(s0, inv), act));
        v128.store(q, applyAct(f32x4.mul(s1, inv), act), 16);
        v128.store(q, applyAct(f32x4.mul(s2, inv), act), 32);
        v128.store(q, applyAct(f32x4.mul(s3, inv), act), 48);
      }
      for (; ch < c; ch += 4) {
        const p0 = base + (<usize>ch << 2);
        let s0 = f32x4.splat(0);
        let row = p0;
        for (let ky = 0; ky < nky; ky++) {
          let p = row;
          for (let kx = 0; kx < nkx; kx++) {
            s0 = f32x4.add(s0, v128.load(p));
            p += pixB;
          }
          row += rowB;
        }
        storeLanes(yp + (<usize>ch << 2), applyAct(f32x4.mul(s0, inv), act), c - ch);
      }
    }
  }
}
