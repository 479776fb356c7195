import type { ActCode } from '../kernels/act.js';
import { refAct } from './act.js';

/** Reference fully connected layer: y[j] = act(sum_p x[p] * W[j*k + p] + bias[j]) for j < n. */
export function refGemv(
  n: number, k: number, x: ArrayLike<number>, w: ArrayLike<number>, bias: ArrayLike<number> | null, y: Float32Array, act: ActCode,
): void {
  for (let j = 0; j < n; j++) {
    let s = bias ? bias[j] : 0;
    for (let p = 0; p < k; p++) s += x[p] * w[j * k + p];
    y[j] = refAct(s, act);
  }
}
