/**
 * Resize references written from the TensorFlow formulas (tf.image.resize_bilinear /
 * resize_nearest_neighbor, as TF.js backend-cpu implements them), in float64.
 * One NHWC image; pixel strides xStride / yStride in floats; rows inW*xStride / outW*yStride apart.
 */

/** Coordinate modes: 0 legacy/asymmetric, 1 align_corners, 2 half_pixel. */
export type RefCoordMode = 0 | 1 | 2;
/** Nearest rounding: 0 floor, 1 ceil, 2 round_prefer_floor, 3 round_prefer_ceil. */
export type RefRounding = 0 | 1 | 2 | 3;

/** Source coordinate of output index o along an axis of in -> out. */
export function refSrcCoord(o: number, inSize: number, outSize: number, mode: RefCoordMode): number {
  // TF computes the ratio first, then multiplies (the order matters for exact nearest indices).
  if (mode === 1 && outSize > 1) return ((inSize - 1) / (outSize - 1)) * o;
  if (mode === 2) return (inSize / outSize) * (o + 0.5) - 0.5;
  return (inSize / outSize) * o;
}

export function refResizeBilinear(
  inH: number, inW: number, c: number, x: Float32Array, xStride: number,
  outH: number, outW: number, y: Float32Array, yStride: number, mode: RefCoordMode,
): void {
  for (let oy = 0; oy < outH; oy++) {
    const sy = refSrcCoord(oy, inH, outH, mode);
    const y0 = Math.max(0, Math.floor(sy));
    const y1 = Math.min(inH - 1, Math.ceil(sy));
    const fy = sy - y0;
    for (let ox = 0; ox < outW; ox++) {
      const sx = refSrcCoord(ox, inW, outW, mode);
      const x0 = Math.max(0, Math.floor(sx));
      const x1 = Math.min(inW - 1, Math.ceil(sx));
      const fx = sx - x0;
      for (let j = 0; j < c; j++) {
        const tl = x[(y0 * inW + x0) * xStride + j];
        const tr = x[(y0 * inW + x1) * xStride + j];
        const bl = x[(y1 * inW + x0) * xStride + j];
        const br = x[(y1 * inW + x1) * xStride + j];
        const top = tl + (tr - tl) * fx;
        const bottom = bl + (br - bl) * fx;
        y[(oy * outW + ox) * yStride + j] = top + (bottom - top) * fy;
      }
    }
  }
}

/** Nearest source index: coordinate, rounding rule, clamp to [0, in - 1]. */
export function refNearestIndex(o: number, inSize: number, outSize: number, mode: RefCoordMode, rounding: RefRounding): number {
  const s = refSrcCoord(o, inSize, outSize, mode);
  let i: number;
  const f = Math.floor(s);
  switch (rounding) {
    case 0: i = f; break;
    case 1: i = Math.ceil(s); break;
    case 2: i = s - f > 0.5 ? f + 1 : f; break; // ties go down
    default: i = s - f >= 0.5 ? f + 1 : f; // ties go up
  }
  return Math.min(inSize - 1, Math.max(0, i));
}

export function refResizeNearest(
  inH: number, inW: number, c: number, x: Float32Array, xStride: number,
  outH: number, outW: number, y: Float32Array, yStride: number, mode: RefCoordMode, rounding: RefRounding,
): void {
  for (let oy = 0; oy < outH; oy++) {
    const iy = refNearestIndex(oy, inH, outH, mode, rounding);
    for (let ox = 0; ox < outW; ox++) {
      const ix = refNearestIndex(ox, inW, outW, mode, rounding);
      for (let j = 0; j < c; j++) y[(oy * outW + ox) * yStride + j] = x[(iy * inW + ix) * xStride + j];
    }
  }
}
