import type { BenchCase, CaseFactory } from './types.js';
import type { Kernels } from '../../src/kernels/loader.js';

export const cases: CaseFactory = () => [];

/** One case per GEMM tile on a large square shape; the fastest is the run's GEMM ceiling. */
export function gemmCeiling(_k: Kernels): BenchCase[] {
  return [];
}
