// The gather walk shared by the f32-deconv kernels (not a wasm export).
//
// Transposed convolution: out[oy][ox] += in[iy][ix] * w[ky][kx] with oy = iy*sh - padTop + ky.
// Gathered per output pixel: ty = oy + padTop, ky runs over ry = ty % sh, ry + sh, ... < kh
// with iy = (ty - ky) / sh (decreasing by 1 per tap) inside [0, inH); the same along x. Output
// pixels of one x phase (ox + padLeft = rx mod sw) share their kx set and read consecutive
// input pixels, so tiles are 4 same-phase output pixels (sw apart) x 8 output channels.
// Every output pixel is written exactly once, so bias + activation fuse into the store.
import { WEIGHT_CHUNK_BYTES, ceilDiv, convPx1x8, convTile4x8, imax, imin } from "../f32-conv/conv-micro";

// @ts-ignore: decorator
@inline export function deconvCore(
  inH: i32, inW: i32, cin: i32, x: usize, xStride: i32,
  outH: i32, outW: i32, cout: i32, y: usize, yStride: i32,
  w: usize, kh: i32, kw: i32, strideH: i32, strideW: i32, padTop: i32, padLeft: i32, act: i32,
): void {
  const nBlocks = (cout + 7) >> 3;
  const tapBytes = <usize>cin << 5;
  const wKyBytes = tapBytes * <usize>kw;
  const blockBytes = <usize>32 + wKyBytes * <usize>kh;
  const xs4 = <usize>xStride << 2;
  const ys4 = <usize>yStride << 2;
  const rowBytes = xs4 * <usize>inW;
  const wRowStep = wKyBytes * <usize>strideH;
  const wColStep = tapBytes * <usize>strideW;
  const rowStep = -<isize>rowBytes;
  const colStep = -<isize>xs4;
  const yPixStep = ys4 * <usize>strideW;
  // Weight blocks in chunks of about WEIGHT_CHUNK_BYTES, all output rows per chunk (see conv-core).
  const chunk = imax(1, <i32>(WEIGHT_CHUNK_BYTES / blockBytes));
  for (let b0 = 0; b0 < nBlocks; b0 += chunk) {
  const b1 = imin(nBlocks, b0 + chunk);
  for (let oy = 0; oy < outH; oy++) {
    const ty = oy + padTop;
    const ry = ty % strideH;
    const iyTop = ty / strideH;
    const nTy = ry < kh ? ceilDiv(kh - ry, strideH) : 0;
    const mLo = imax(0, iyTop - (inH - 1));
    const kyN = imax(0, imin(nTy, iyTop + 1) - mLo);
    const ky0 = ry + mLo * strideH;
    const xRow = x + <usize>(iyTop - mLo) * rowBytes;
    const yRow = y + <usize>(oy * outW) * ys4;
    const wRow0 = <usize>32 + <usize>ky0 * wKyBytes;
    for (let rx = 0; rx < strideW; rx++) {
      const ox0 = ((rx - padLeft) % strideW + strideW) % strideW;
      if (ox0 >= outW) continue;
      const cnt = (outW - 1 - ox0) / strideW + 1;
      const ix00 = (ox0 + padLeft - rx) / strideW;
      const nTx = rx < kw ? ceilDiv(kw - rx, strideW) : 0;
      // Phase pixels j with the full tap set inside the input: [jLo, jHi).
      const jLo = imin(cnt, imax(0, nTx - 1 - ix00));
      const jHi = imax(jLo, imin(cnt, inW - ix00));
      const nInner = jHi - jLo;
      for (let j = 0; j < cnt; ) {
        let nT = 0;
        if (j >= jLo && j < jHi && nInner >= 4) {
          nT = (jHi - j) >> 2;
          if (nT == 0) { nT = 1; j = jHi - 4; } // last partial tile overlaps the previous one
        }
        const ixTop = ix00 + j;
        const ox = ox0 + j * strideW;
        const yp = yRow + <usize>ox * ys4;
        if (nT > 0) {
          const xp = xRow + <usize>ixTop * xs4;
          const wOff = wRow0 + <usize>rx * tapBytes;
          for (let b = b0; b < b1; b++) {
            const blk = w + <usize>b * blockBytes;
            convTile4x8(xp, xs4, rowStep, colStep, kyN, nTx, cin, blk + wOff, wRowStep, wColStep,
              yp + (<usize>b << 5), yPixStep, imin(8, cout - b * 8), blk, act, nT);
          }
          j += nT << 2;
        } else {
          const nLo = imax(0, ixTop - (inW - 1));
          const kxN = imax(0, imin(nTx, ixTop + 1) - nLo);
          const xp = xRow + <usize>(ixTop - nLo) * xs4;
          const wOff = wRow0 + <usize>(rx + nLo * strideW) * tapBytes;
          for (let b = b0; b < b1; b++) {
            const blk = w + <usize>b * blockBytes;
            convPx1x8(xp, rowStep, colStep, kyN, kxN, cin, blk + wOff, wRowStep, wColStep,
              yp + (<usize>b << 5), imin(8, cout - b * 8), blk, act);
          }
          j++;
        }
      }
    }
  }
  }
}
