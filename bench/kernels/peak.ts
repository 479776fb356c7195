import { peak, peakFlops } from '../../src/kernels/peak.js';
import type { Kernels } from '../../src/kernels/loader.js';

export const PEAK_ITERS = 200_000;

/** Prepares the register-only peak loop; returns a runner and its FLOPs per call. */
export function peakRunner(k: Kernels): { run: () => void; flops: number } {
  const io = k.arena.put([1, 1, 1, 1, 0.999, 0.999, 0.999, 0.999, 1e-3, 1e-3, 1e-3, 1e-3]);
  return { run: () => peak(k, PEAK_ITERS, io), flops: peakFlops(PEAK_ITERS) };
}
