import { applyAct, storeLanes } from "../common/simd";

/**
 * f32-pool-global-avg: y[ch] = act(mean over p < pixels of x[p * xStride + ch]) for ch < c.
 * x is `pixels` pixels of `c` floats, xStride floats apart (a channel slice works in place);
 * y is c contiguous floats. Used by SE blocks and classifier heads. pixels >= 1.
 * SIMD over channels: 16 per step (4 independent accumulators), then 4, then lanes.
 */
export function f32_pool_global_avg(pixels: i32, c: i32, x: usize, xStride: i32, y: usize, act: i32): void {
  const inv = f32x4.splat(<f32>1.0 / <f32>pixels);
  const pixB = <usize>xStride << 2;
  let ch = 0;
  for (; ch + 16 <= c; ch += 16) {
    let p = x + (<usize>ch << 2);
    let s0 = f32x4.splat(0);
    let s1 = f32x4.splat(0);
    let s2 = f32x4.splat(0);
    let s3 = f32x4.splat(0);
    for (let i = 0; i < pixels; i++) {
      s0 = f32x4.add(s0, v128.load(p));
      s1 = f32x4.add(s1, v128.load(p, 16));
      s2 = f32x4.add(s2, v128.load(p, 32));
      s3 = f32x4.add(s3, v128.load(p, 48));
      p += pixB;
    }
    const q = y + (<usize>ch << 2);
    v128.store(q, applyAct(f32x4.mul(s0, inv), act));
    v128.store(q, applyAct(f32x4.mul(s1, inv), act), 16);
    v128.store(q, applyAct(f32x4.mul(s2, inv), act), 32);
    v128.store(q, applyAct(f32x4.mul(s3, inv), act), 48);
  }
  for (; ch < c; ch += 4) {
    let p = x + (<usize>ch << 2);
    let s0 = f32x4.splat(0);
    for (let i = 0; i < pixels; i++) {
      s0 = f32x4.add(s0, v128.load(p));
      p += pixB;
    }
    storeLanes(y + (<usize>ch << 2), applyAct(f32x4.mul(s0, inv), act), c - ch);
  }
}
