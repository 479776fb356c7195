import { fmadd } from "../common/simd";
import { storeVec } from "../f32-gemm/epilogue";

/**
 * f32-gemv-1x16: fully connected layer for one input vector,
 * y[j] = act(sum_p x[p] * W[j][p] + bias[j]) for j < n.
 * w: weights packed by packGemvWeights (the f32-gemm panel layout with nr = 16: panels of 16
 * channels, each bias[16] then k rows of 16 weights), streamed exactly once front to back.
 * Two K steps per iteration into two accumulator sets (8 independent FMA chains), so the loop
 * is bound by memory bandwidth, not by FMA latency. Reads x at most 12 bytes past its end
 * (never, in fact: scalar broadcasts); writes only y[0, n).
 */
export function f32_gemv_1x16(n: i32, k: i32, x: usize, w: usize, y: usize, act: i32): void {
  let wp = w;
  for (let n0 = 0; n0 < n; n0 += 16) {
    let a0 = v128.load(wp);
    let a1 = v128.load(wp, 16);
    let a2 = v128.load(wp, 32);
    let a3 = v128.load(wp, 48);
    let b0 = f32x4.splat(0); let b1 = b0; let b2 = b0; let b3 = b0;
    wp += 64;
    let xp = x;
    let kk = k;
    for (; kk >= 2; kk -= 2) {
      const x0 = v128.load32_splat(xp);
      a0 = fmadd(x0, v128.load(wp), a0);
      a1 = fmadd(x0, v128.load(wp, 16), a1);
      a2 = fmadd(x0, v128.load(wp, 32), a2);
      a3 = fmadd(x0, v128.load(wp, 48), a3);
      const x1 = v128.load32_splat(xp, 4);
      b0 = fmadd(x1, v128.load(wp, 64), b0);
      b1 = fmadd(x1, v128.load(wp, 80), b1);
      b2 = fmadd(x1, v128.load(wp, 96), b2);
      b3 = fmadd(x1, v128.load(wp, 112), b3);
      xp += 8;
      wp += 128;
    }
    if (kk != 0) {
      const x0 = v128.load32_splat(xp);
      a0 = fmadd(x0, v128.load(wp), a0);
      a1 = fmadd(x0, v128.load(wp, 16), a1);
      a2 = fmadd(x0, v128.load(wp, 32), a2);
      a3 = fmadd(x0, v128.load(wp, 48), a3);
      wp += 64;
    }
    const yp = y + (<usize>n0 << 2);
    const nc = n - n0;
    storeVec(yp, f32x4.add(a0, b0), 0, act, nc);
    if (nc > 4) storeVec(yp + 16, f32x4.add(a1, b1), 0, act, nc - 4);
    if (nc > 8) storeVec(yp + 32, f32x4.add(a2, b2), 0, act, nc - 8);
    if (nc > 12) storeVec(yp + 48, f32x4.add(a3, b3), 0, act, nc - 12);
  }
}
