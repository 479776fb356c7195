import type { ActCode } from '../kernels/act.js';
import { refAct } from './act.js';

/**
 * Reference GEMM / pointwise conv on unpacked weights W[n][k] (output-major):
 * c[i*cStride + j] = act(sum_p a[i*aStride + p] * W[j*k + p] + bias[j] + r[i*rStride + j])
 * for i < m, j < n. Other elements of c are left untouched. bias / r may be null.
 */
export function refGemm(
  m: number, n: number, k: number,
  a: ArrayLike<number>, aStride: number,
  w: ArrayLike<number>, bias: ArrayLike<number> | null,
  c: Float32Array, cStride: number,
  act: ActCode,
  r: ArrayLike<number> | null = null, rStride = n,
): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = bias ? bias[j] : 0;
      for (let p = 0; p < k; p++) s += a[i * aStride + p] * w[j * k + p];
      if (r) s += r[i * rStride + j];
      c[i * cStride + j] = refAct(s, act);
    }
  }
}

/**
 * Reference grouped pointwise conv: weights [cout][cin/groups]; output channel o belongs to
 * group g = floor(o / (cout/groups)) and reads input channels [g*cin/groups, (g+1)*cin/groups).
 * Pixel strides inStride / outStride / residualStride are in floats.
 */
export function refGroupedPointwise(
  m: number, cin: number, cout: number, groups: number,
  input: ArrayLike<number>, inStride: number,
  w: ArrayLike<number>, bias: ArrayLike<number> | null,
  output: Float32Array, outStride: number,
  act: ActCode,
  residual: ArrayLike<number> | null = null, residualStride = cout,
): void {
  const kg = cin / groups;
  const ng = cout / groups;
  for (let i = 0; i < m; i++) {
    for (let o = 0; o < cout; o++) {
      const g = Math.floor(o / ng);
      let s = bias ? bias[o] : 0;
      for (let p = 0; p < kg; p++) s += input[i * inStride + g * kg + p] * w[o * kg + p];
      if (residual) s += residual[i * residualStride + o];
      output[i * outStride + o] = refAct(s, act);
    }
  }
}
