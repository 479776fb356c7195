// The row/pixel walk shared by f32-conv-kxk-4x8 and f32-conv-3x3s2-c3 (not a wasm export).
import { fmadd } from "../common/simd";
import { WEIGHT_CHUNK_BYTES, ceilDiv, convPx1x8, convTile4x8, floorDiv, imax, imin, store8 } from "./conv-micro";

/**
 * Stem microkernel: 4 output pixels x 8 channels of a 3x3 stride-2 conv over 3 contiguous
 * input channels (pixel stride 3 floats), dilation 1. The 9 taps of one kernel row are 9
 * consecutive floats, and the 4 pixels sit 6 floats apart, so one pointer with immediate
 * offsets 0/24/48/72 addresses everything and a single 9-step loop covers a kernel row.
 * Taps: kyN rows starting at x / w (kx 0..2 all valid), next row rowStep bytes further.
 */
export function stemTile4x8(
  x: usize, rowStep: usize, kyN: i32, w: usize, y: usize, yPixStep: usize, nc: i32, bias: usize, act: i32,
  nTiles: i32,
): void {
  const yTile = yPixStep << 2;
  for (let t = 0; t < nTiles; t++) {
    let a0 = v128.load(bias);
    let b0 = v128.load(bias, 16);
    let a1 = a0, b1 = b0, a2 = a0, b2 = b0, a3 = a0, b3 = b0;
    let xr = x;
    let wp = w;
    for (let ky = 0; ky < kyN; ky++) {
      let xp = xr;
      const xEnd = xr + 36;
      while (xp < xEnd) {
        const w0 = v128.load(wp);
        const w1 = v128.load(wp, 16);
        let v = v128.load32_splat(xp);
        a0 = fmadd(v, w0, a0);
        b0 = fmadd(v, w1, b0);
        v = v128.load32_splat(xp, 24);
        a1 = fmadd(v, w0, a1);
        b1 = fmadd(v, w1, b1);
        v = v128.load32_splat(xp, 48);
        a2 = fmadd(v, w0, a2);
        b2 = fmadd(v, w1, b2);
        v = v128.load32_splat(xp, 72);
        a3 = fmadd(v, w0, a3);
        b3 = fmadd(v, w1, b3);
        xp += 4;
        wp += 32;
      }
      xr += rowStep;
    }
    store8(y, a0, b0, nc, act);
    store8(y + yPixStep, a1, b1, nc, act);
    store8(y + (yPixStep << 1), a2, b2, nc, act);
    store8(y + (yPixStep << 1) + yPixStep, a3, b3, nc, act);
    x += 96;
    y += yTile;
  }
}

/**
 * Direct convolution, NHWC, packed weights (see conv-micro.ts). Output pixels in tiles of 4
 * where all 4 windows lie fully inside the input horizontally (the last tile of a row may
 * overlap the previous one), single pixels with clipped tap ranges elsewhere. Rows clip
 * their ky range once. `stem` selects the 3x3/stride-2/3-channel microkernel (the caller
 * guarantees kh = kw = 3, stride 2, dil = 1, cin = 3, xStride = 3, groups = 1 then).
 */
// @ts-ignore: decorator
@inline export function convCore(
  inH: i32, inW: i32, cin: i32, x: usize, xStride: i32,
  outH: i32, outW: i32, cout: i32, y: usize, yStride: i32,
  w: usize, kh: i32, kw: i32, strideH: i32, strideW: i32, dilH: i32, dilW: i32,
  padTop: i32, padLeft: i32, groups: i32, act: i32, stem: bool,
): void {
  const cinG = cin / groups;
  const coutG = cout / groups;
  const nBlocks = (coutG + 7) >> 3;
  const tapBytes = <usize>cinG << 5;
  const wRowStep = tapBytes * <usize>kw;
  const blockBytes = <usize>32 + wRowStep * <usize>kh;
  const xs4 = <usize>xStride << 2;
  const ys4 = <usize>yStride << 2;
  const rowBytes = xs4 * <usize>inW;
  const pixStep = xs4 * <usize>strideW;
  const colStep = xs4 * <usize>dilW;
  const rowStep = rowBytes * <usize>dilH;
  // Output columns whose whole window is inside the input: [oxLo, oxHi).
  const oxLo = imin(ceilDiv(padLeft, strideW), outW);
  const oxHi = imax(oxLo, imin(outW, floorDiv(inW - 1 - (kw - 1) * dilW + padLeft, strideW) + 1));
  const nInner = oxHi - oxLo;
  // Weight blocks are swept in chunks of about WEIGHT_CHUNK_BYTES, all output rows per chunk,
  // so large weights (deep layers, small maps) stay in cache instead of streaming per row.
  const nGB = groups * nBlocks;
  const chunk = imax(1, <i32>(WEIGHT_CHUNK_BYTES / blockBytes));
  for (let gb0 = 0; gb0 < nGB; gb0 += chunk) {
  const gb1 = imin(nGB, gb0 + chunk);
  for (let oy = 0; oy < outH; oy++) {
    const iy0 = oy * strideH - padTop;
    const kyLo = iy0 >= 0 ? 0 : ceilDiv(-iy0, dilH);
    const kyHi = imin(kh, floorDiv(inH - 1 - iy0, dilH) + 1);
    const kyN = imax(0, kyHi - kyLo);
    // Pointer to input row of the first valid tap, column 0 (unused when kyN == 0).
    const xRow = x + <usize>(iy0 + kyLo * dilH) * rowBytes;
    const yRow = y + <usize>(oy * outW) * ys4;
    const wRow0 = <usize>kyLo * wRowStep + 32;
    for (let ox = 0; ox < outW; ) {
      let nT = 0;
      if (ox >= oxLo && ox < oxHi && nInner >= 4) {
        nT = (oxHi - ox) >> 2;
        if (nT == 0) { nT = 1; ox = oxHi - 4; } // last partial tile overlaps the previous one
      }
      if (nT > 0) {
        const ix0 = ox * strideW - padLeft;
        const xp = xRow + <usize>ix0 * xs4;
        const yp = yRow + <usize>ox * ys4;
        for (let gb = gb0; gb < gb1; gb++) {
          const g = gb / nBlocks;
          const b = gb - g * nBlocks;
          const xg = xp + (<usize>(g * cinG) << 2);
          const blk = w + <usize>gb * blockBytes;
          const yb = yp + (<usize>(g * coutG + b * 8) << 2);
          const nc = imin(8, coutG - b * 8);
          if (stem) {
            stemTile4x8(xg, rowStep, kyN, blk + wRow0, yb, ys4, nc, blk, act, nT);
          } else {
            convTile4x8(xg, pixStep, <isize>rowStep, <isize>colStep, kyN, kw, cinG,
              blk + wRow0, wRowStep, tapBytes, yb, ys4, nc, blk, act, nT);
          }
        }
        ox += nT << 2;
      } else {
        const ix0 = ox * strideW - padLeft;
        const kxLo = ix0 >= 0 ? 0 : ceilDiv(-ix0, dilW);
        const kxHi = imin(kw, floorDiv(inW - 1 - ix0, dilW) + 1);
        const kxN = imax(0, kxHi - kxLo);
        const xp = xRow + <usize>(ix0 + kxLo * dilW) * xs4;
        const yp = yRow + <usize>ox * ys4;
        const wOff = wRow0 + <usize>kxLo * tapBytes;
        for (let gb = gb0; gb < gb1; gb++) {
          const g = gb / nBlocks;
          const b = gb - g * nBlocks;
          const xg = xp + (<usize>(g * cinG) << 2);
          const blk = w + <usize>gb * blockBytes;
          const yb = yp + (<usize>(g * coutG + b * 8) << 2);
          const nc = imin(8, coutG - b * 8);
          convPx1x8(xg, <isize>rowStep, <isize>colStep, kyN, kxN, cinG,
            blk + wOff, wRowStep, tapBytes, yb, nc, blk, act);
        }
        ox++;
      }
    }
  }
  }
}
