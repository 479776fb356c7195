import { storeLanes } from "../common/simd";
import { coordRatio, nearestIndex } from "./coords";

/**
 * f32-resize-nearest-x4: NHWC nearest-neighbour resize of one image, inH x inW x c -> outH x outW x c.
 * Pixel strides in floats. mode = coord | (rounding << 2):
 *   coord    0 legacy/asymmetric (o * in/out), 1 align_corners (o * (in-1)/(out-1)), 2 half_pixel
 *            ((o + 0.5) * in/out - 0.5)
 *   rounding 0 floor, 1 ceil, 2 round_prefer_floor, 3 round_prefer_ceil
 * then the index is clamped to [0, in - 1]. TF / TF.js ResizeNearestNeighbor: legacy+floor,
 * align_corners+round_prefer_ceil, half_pixel+round_prefer_ceil (floor((o + 0.5) * in/out)).
 * ONNX Resize nearest: asymmetric+floor = legacy+floor, default half_pixel+round_prefer_floor.
 * SIMD over channels in blocks of 4; channel tails stored lane by lane. No overlap with x.
 */
export function f32_resize_nearest_x4(
  inH: i32, inW: i32, c: i32, x: usize, xStride: i32, outH: i32, outW: i32, y: usize, yStride: i32, mode: i32,
): void {
  const coord = mode & 3;
  const rounding = mode >> 2;
  const xRow = <usize>(inW * xStride) << 2;
  const xPix = <usize>xStride << 2;
  const ry = coordRatio(inH, outH, coord);
  const rx = coordRatio(inW, outW, coord);
  for (let oy = 0; oy < outH; oy++) {
    const src = x + <usize>nearestIndex(oy, inH, ry, coord, rounding) * xRow;
    const yr = y + (<usize>(oy * outW * yStride) << 2);
    for (let ox = 0; ox < outW; ox++) {
      const xp = src + <usize>nearestIndex(ox, inW, rx, coord, rounding) * xPix;
      const yp = yr + (<usize>(ox * yStride) << 2);
      let j = 0;
      for (; j + 8 <= c; j += 8) {
        const o = <usize>j << 2;
        const a = v128.load(xp + o);
        const b = v128.load(xp + o, 16);
        v128.store(yp + o, a);
        v128.store(yp + o, b, 16);
      }
      for (; j < c; j += 4) {
        const o = <usize>j << 2;
        storeLanes(yp + o, v128.load(xp + o), c - j);
      }
    }
  }
}
