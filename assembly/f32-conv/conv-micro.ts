// Shared microkernels of the f32-conv and f32-deconv families (not wasm exports: the folder
// index only re-exports the kernel files).
//
// Packed weight layout (both families): per group, output channels in blocks of 8; a block is
//   bias[8], then taps [ky][kx][ci][8]   (8 + kh*kw*cinG*8 floats, channel tail zero-padded).
// A microkernel gets pointers already advanced to its first valid tap and the steps (bytes)
// between consecutive valid taps, so it needs no bounds checks: the callers clip the tap
// ranges per output row / pixel. Steps may be negative (deconvolution walks the input
// backwards), hence `isize` and wrapping adds.
import { applyAct, fmadd, storeLanes } from "../common/simd";

/** Packed weight bytes swept over all output rows at a time (about half an L1 data cache). */
export const WEIGHT_CHUNK_BYTES: usize = 24576;

/** floor(a / b) for b > 0 and any sign of a. */
// @ts-ignore: decorator
@inline export function floorDiv(a: i32, b: i32): i32 {
  return a >= 0 ? a / b : -((-a + b - 1) / b);
}

/** ceil(a / b) for b > 0 and any sign of a. */
// @ts-ignore: decorator
@inline export function ceilDiv(a: i32, b: i32): i32 {
  return -floorDiv(-a, b);
}

// @ts-ignore: decorator
@inline export function imax(a: i32, b: i32): i32 {
  return a > b ? a : b;
}

// @ts-ignore: decorator
@inline export function imin(a: i32, b: i32): i32 {
  return a < b ? a : b;
}

/** Stores act(lo), act(hi) for 8 channels of one pixel, only the first `nc` (1..8) lanes. */
// @ts-ignore: decorator
@inline export function store8(y: usize, lo: v128, hi: v128, nc: i32, act: i32): void {
  lo = applyAct(lo, act);
  hi = applyAct(hi, act);
  if (nc >= 8) {
    v128.store(y, lo);
    v128.store(y, hi, 16);
  } else if (nc > 4) {
    v128.store(y, lo);
    storeLanes(y + 16, hi, nc - 4);
  } else {
    storeLanes(y, lo, nc);
  }
}

/**
 * 4 output pixels x 8 output channels. Pixel p reads input at x + p*pixStep (+ tap offsets);
 * taps: kyN rows (input step rowStep, weight step wRowStep) x kxN columns (colStep, wColStep)
 * x cin channels (4 bytes input, 32 bytes weights). Output pixel p at y + p*yPixStep.
 * Runs nTiles such tiles, the next one 4 pixels further (x + 4*pixStep, y + 4*yPixStep):
 * one call per row segment keeps call and setup overhead out of the pixel loop.
 */
export function convTile4x8(
  x: usize, pixStep: usize, rowStep: isize, colStep: isize, kyN: i32, kxN: i32, cin: i32,
  w: usize, wRowStep: usize, wColStep: usize, y: usize, yPixStep: usize, nc: i32, bias: usize, act: i32,
  nTiles: i32,
): void {
  const xTile = pixStep << 2;
  const yTile = yPixStep << 2;
  const cinBytes = <usize>cin << 2;
  for (let t = 0; t < nTiles; t++) {
    let a0 = v128.load(bias);
    let b0 = v128.load(bias, 16);
    let a1 = a0, b1 = b0, a2 = a0, b2 = b0, a3 = a0, b3 = b0;
    const p2 = pixStep << 1;
    const p3 = p2 + pixStep;
    let xr = x;
    let wr = w;
    for (let ky = 0; ky < kyN; ky++) {
      let xc = xr;
      let wc = wr;
      for (let kx = 0; kx < kxN; kx++) {
        let xp = xc;
        let wp = wc;
        const xEnd = xc + cinBytes;
        while (xp < xEnd) {
          const w0 = v128.load(wp);
          const w1 = v128.load(wp, 16);
          let v = v128.load32_splat(xp);
          a0 = fmadd(v, w0, a0);
          b0 = fmadd(v, w1, b0);
          v = v128.load32_splat(xp + pixStep);
          a1 = fmadd(v, w0, a1);
          b1 = fmadd(v, w1, b1);
          v = v128.load32_splat(xp + p2);
          a2 = fmadd(v, w0, a2);
          b2 = fmadd(v, w1, b2);
          v = v128.load32_splat(xp + p3);
          a3 = fmadd(v, w0, a3);
          b3 = fmadd(v, w1, b3);
          xp += 4;
          wp += 32;
        }
        xc += <usize>colStep;
        wc += wColStep;
      }
      xr += <usize>rowStep;
      wr += wRowStep;
    }
    store8(y, a0, b0, nc, act);
    store8(y + yPixStep, a1, b1, nc, act);
    store8(y + (yPixStep << 1), a2, b2, nc, act);
    store8(y + (yPixStep << 1) + yPixStep, a3, b3, nc, act);
    x += xTile;
    y += yTile;
  }
}

/** 1 output pixel x 8 output channels; same tap walk as convTile4x8 (two accumulator sets). */
export function convPx1x8(
  x: usize, rowStep: isize, colStep: isize, kyN: i32, kxN: i32, cin: i32,
  w: usize, wRowStep: usize, wColStep: usize, y: usize, nc: i32, bias: usize, act: i32,
): void {
  let a0 = v128.load(bias);
  let b0 = v128.load(bias, 16);
  let a1 = f32x4.splat(0);
  let b1 = a1;
  let xr = x;
  let wr = w;
  for (let ky = 0; ky < kyN; ky++) {
    let xc = xr;
    let wc = wr;
    for (let kx = 0; kx < kxN; kx++) {
      let xp = xc;
      let wp = wc;
      let c = 0;
      for (; c + 2 <= cin; c += 2) {
        const v = v128.load32_splat(xp);
        a0 = fmadd(v, v128.load(wp), a0);
        b0 = fmadd(v, v128.load(wp, 16), b0);
        const u = v128.load32_splat(xp, 4);
        a1 = fmadd(u, v128.load(wp, 32), a1);
        b1 = fmadd(u, v128.load(wp, 48), b1);
        xp += 8;
        wp += 64;
      }
      if (c < cin) {
        const v = v128.load32_splat(xp);
        a0 = fmadd(v, v128.load(wp), a0);
        b0 = fmadd(v, v128.load(wp, 16), b0);
      }
      xc += <usize>colStep;
      wc += wColStep;
    }
    xr += <usize>rowStep;
    wr += wRowStep;
  }
  store8(y, f32x4.add(a0, a1), f32x4.add(b0, b1), nc, act);
}
