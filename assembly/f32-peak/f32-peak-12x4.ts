import { fmadd } from "../common/simd";

/**
 * f32-peak-12x4: the register-only ceiling loop used by the benchmarks. Twelve independent
 * f32x4 multiply-add chains (enough to cover mul+add latency on two FP pipes), `iters`
 * iterations, 96 FLOP per iteration. Reads 3 vectors at `io` (a, m, c) and writes the
 * 12 accumulators' sum back to `io` so nothing is optimised away.
 */
export function f32_peak_12x4(iters: i32, io: usize): void {
  const m = v128.load(io, 16);
  const c = v128.load(io, 32);
  let a0 = v128.load(io); let a1 = f32x4.add(a0, c); let a2 = f32x4.add(a1, c); let a3 = f32x4.add(a2, c);
  let a4 = f32x4.add(a3, c); let a5 = f32x4.add(a4, c); let a6 = f32x4.add(a5, c); let a7 = f32x4.add(a6, c);
  let a8 = f32x4.add(a7, c); let a9 = f32x4.add(a8, c); let a10 = f32x4.add(a9, c); let a11 = f32x4.add(a10, c);
  for (let i = 0; i < iters; i++) {
    a0 = fmadd(a0, m, c); a1 = fmadd(a1, m, c); a2 = fmadd(a2, m, c); a3 = fmadd(a3, m, c);
    a4 = fmadd(a4, m, c); a5 = fmadd(a5, m, c); a6 = fmadd(a6, m, c); a7 = fmadd(a7, m, c);
    a8 = fmadd(a8, m, c); a9 = fmadd(a9, m, c); a10 = fmadd(a10, m, c); a11 = fmadd(a11, m, c);
  }
  a0 = f32x4.add(f32x4.add(f32x4.add(a0, a1), f32x4.add(a2, a3)), f32x4.add(f32x4.add(a4, a5), f32x4.add(a6, a7)));
  a8 = f32x4.add(f32x4.add(a8, a9), f32x4.add(a10, a11));
  v128.store(io, f32x4.add(a0, a8));
}
