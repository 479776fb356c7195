import { fmadd, storeLanes } from "../common/simd";
import { coordRatio, srcCoord } from "./coords";

/**
 * f32-resize-bilinear-x4: NHWC bilinear resize of one image, inH x inW x c -> outH x outW x c,
 * as tf.image.resize_bilinear / TF.js ResizeBilinear. Pixel strides xStride, yStride in floats
 * (rows are inW * xStride and outW * yStride floats apart). mode: 0 legacy (asymmetric),
 * 1 align_corners, 2 half_pixel. Per output coordinate (f64):
 *   s = srcCoord(o); lo = max(0, floor(s)); hi = min(in - 1, ceil(s)); f = s - lo
 *   top = tl + (tr - tl) * fx; bottom = bl + (br - bl) * fx; y = top + (bottom - top) * fy
 * SIMD over channels in blocks of 4; channel tails stored lane by lane. No overlap with x.
 */
export function f32_resize_bilinear_x4(
  inH: i32, inW: i32, c: i32, x: usize, xStride: i32, outH: i32, outW: i32, y: usize, yStride: i32, mode: i32,
): void {
  const xRow = <usize>(inW * xStride) << 2;
  const xPix = <usize>xStride << 2;
  const ry = coordRatio(inH, outH, mode);
  const rx = coordRatio(inW, outW, mode);
  for (let oy = 0; oy < outH; oy++) {
    const sy = srcCoord(oy, ry, mode);
    let y0 = <i32>Math.floor(sy);
    if (y0 < 0) y0 = 0;
    if (y0 > inH - 1) y0 = inH - 1;
    let y1 = <i32>Math.ceil(sy);
    if (y1 > inH - 1) y1 = inH - 1;
    if (y1 < y0) y1 = y0;
    const fy = f32x4.splat(<f32>(sy - <f64>y0));
    const top = x + <usize>y0 * xRow;
    const bot = x + <usize>y1 * xRow;
    const yr = y + (<usize>(oy * outW * yStride) << 2);
    for (let ox = 0; ox < outW; ox++) {
      const sx = srcCoord(ox, rx, mode);
      let x0 = <i32>Math.floor(sx);
      if (x0 < 0) x0 = 0;
      if (x0 > inW - 1) x0 = inW - 1;
      let x1 = <i32>Math.ceil(sx);
      if (x1 > inW - 1) x1 = inW - 1;
      if (x1 < x0) x1 = x0;
      const fx = f32x4.splat(<f32>(sx - <f64>x0));
      const tl = top + <usize>x0 * xPix;
      const tr = top + <usize>x1 * xPix;
      const bl = bot + <usize>x0 * xPix;
      const br = bot + <usize>x1 * xPix;
      const yp = yr + (<usize>(ox * yStride) << 2);
      let j = 0;
      for (; j + 4 <= c; j += 4) {
        const o = <usize>j << 2;
        const vtl = v128.load(tl + o);
        const vbl = v128.load(bl + o);
        const t = fmadd(f32x4.sub(v128.load(tr + o), vtl), fx, vtl);
        const b = fmadd(f32x4.sub(v128.load(br + o), vbl), fx, vbl);
        v128.store(yp + o, fmadd(f32x4.sub(b, t), fy, t));
      }
      if (j < c) {
        const o = <usize>j << 2;
        const vtl = v128.load(tl + o);
        const vbl = v128.load(bl + o);
        const t = fmadd(f32x4.sub(v128.load(tr + o), vtl), fx, vtl);
        const b = fmadd(f32x4.sub(v128.load(br + o), vbl), fx, vbl);
        storeLanes(yp + o, fmadd(f32x4.sub(b, t), fy, t), c - j);
      }
    }
  }
}
