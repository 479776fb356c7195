import { applyAct, storeLanes } from "../common/simd";

/**
 * f32-pool-global-avg: y[ch] = act(mean over p < pixels of x[p * xStride + ch]) for ch < c.
 * x is `pixels` pixels of `c` floats, xStride floats apart (a channel slice works in place);
 * y is c contiguous floats. Used by SE blocks and classifier heads. pixels >= 1.
 * SIMD over channels: 16 per step (4 independent accumulators), then 4, then lanes.
 * Accuracy: sums run in blocks of BLOCK pixels whose partial sums are added to the total (two-level
 * summation: error grows with BLOCK + pixels/BLOCK, not with pixels), and the mean is a division,
 * as TF computes it; a 64x64 SE pool then stays within ~1e-7 of a float64 mean.
 */
// @ts-ignore: decorator
@inline const BLOCK: i32 = 64;

export function f32_pool_global_avg(pixels: i32, c: i32, x: usize, xStride: i32, y: usize, act: i32): void {
  const div = f32x4.splat(<f32>pixels);
  const pixB = <usize>xStride << 2;
  let ch = 0;
  for (; ch + 16 <= c; ch += 16) {
    let p = x + (<usize>ch << 2);
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    for (let i0 = 0; i0 < pixels; i0 += BLOCK) {
      const n = min(BLOCK, pixels - i0);
      let b0 = f32x4.splat(0);
      let b1 = f32x4.splat(0);
      let b2 = f32x4.splat(0);
      let b3 = f32x4.splat(0);
      for (let i = 0; i < n; i++) {
        b0 = f32x4.add(b0, v128.load(p));
        b1 = f32x4.add(b1, v128.load(p, 16));
        b2 = f32x4.add(b2, v128.load(p, 32));
        b3 = f32x4.add(b3, v128.load(p, 48));
        p += pixB;
      }
      s0 = f32x4.add(s0, b0);
      s1 = f32x4.add(s1, b1);
      s2 = f32x4.add(s2, b2);
      s3 = f32x4.add(s3, b3);
    }
    const q = y + (<usize>ch << 2);
    v128.store(q, applyAct(f32x4.div(s0, div), act));
    v128.store(q, applyAct(f32x4.div(s1, div), act), 16);
    v128.store(q, applyAct(f32x4.div(s2, div), act), 32);
    v128.store(q, applyAct(f32x4.div(s3, div), act), 48);
  }
  for (; ch < c; ch += 4) {
    let p = x + (<usize>ch << 2);
    let s0 = f32x4.splat(0);
    for (let i0 = 0; i0 < pixels; i0 += BLOCK) {
      const n = min(BLOCK, pixels - i0);
      let b0 = f32x4.splat(0);
      for (let i = 0; i < n; i++) {
        b0 = f32x4.add(b0, v128.load(p));
        p += pixB;
      }
      s0 = f32x4.add(s0, b0);
    }
    storeLanes(y + (<usize>ch << 2), applyAct(f32x4.div(s0, div), act), c - ch);
  }
}
