import { applyAct, storeLanes } from "../common/simd";

/**
 * f32-pool-kxk-max: NHWC max pooling, kh x kw window, strides, padding (top/left given,
 * bottom/right implied by outH/outW), fused activation.
 *   y[oy][ox][c] = act(max over valid (ky, kx) of x[oy*strideH - padTop + ky][ox*strideW - padLeft + kx][c])
 * Padded positions are skipped (never count as 0). Pixel (iy, ix) of x is at
 * x + 4 * ((iy * inW + ix) * xStride); same for y with outW and yStride (strides in floats).
 * Every window must contain at least one input pixel (the host wrapper checks it).
 * SIMD over channels: 16 per step, then 4, the last 1..3 stored lane by lane.
 * NaN inputs give an unspecified result (pseudo-max, like TFLite's std::max).
 */
export function f32_pool_kxk_max(
  inH: i32, inW: i32, c: i32, x: usize, xStride: i32,
  outH: i32, outW: i32, y: usize, yStride: i32,
  kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, act: i32,
): void {
  const pixB = <usize>xStride << 2;
  const rowB = <usize>(inW * xStride) << 2;
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
      const base = x + (<usize>(((iy0 + ky0) * inW + ix0 + kx0) * xStride) << 2);
      const yp = y + (<usize>((oy * outW + ox) * yStride) << 2);
      let ch = 0;
      for (; ch + 16 <= c; ch += 16) {
        const p0 = base + (<usize>ch << 2);
        let m0 = v128.load(p0);
        let m1 = v128.load(p0, 16);
        let m2 = v128.load(p0, 32);
        let m3 = v128.load(p0, 48);
        let row = p0;
        for (let ky = 0; ky < nky; ky++) {
          let p = row;
          for (let kx = 0; kx < nkx; kx++) {
            m0 = f32x4.pmax(m0, v128.load(p));
            m1 = f32x4.pmax(m1, v128.load(p, 16));
            m2 = f32x4.pmax(m2, v128.load(p, 32));
            m3 = f32x4.pmax(m3, v128.load(p, 48));
            p += pixB;
          }
          row += rowB;
        }
        const q = yp + (<usize>ch << 2);
        v128.store(q, applyAct(m0, act));
        v128.store(q, applyAct(m1, act), 16);
        v128.store(q, applyAct(m2, act), 32);
        v128.store(q, applyAct(m3, act), 48);
      }
      for (; ch < c; ch += 4) {
        const p0 = base + (<usize>ch << 2);
        let m0 = v128.load(p0);
        let row = p0;
        for (let ky = 0; ky < nky; ky++) {
          let p = row;
          for (let kx = 0; kx < nkx; kx++) {
            m0 = f32x4.pmax(m0, v128.load(p));
            p += pixB;
          }
          row += rowB;
        }
        storeLanes(yp + (<usize>ch << 2), applyAct(m0, act), c - ch);
      }
    }
  }
}
