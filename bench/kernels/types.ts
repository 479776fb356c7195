import type { Kernels } from '../../src/kernels/loader.js';
import { mulberry32, uniformArray } from '../../src/util/random.js';

/** Reproducible benchmark data: `n` floats uniform in [-0.5, 0.5) from `seed`. */
export const benchData = (n: number, seed: number): Float32Array => uniformArray(n, mulberry32(seed), -0.5, 0.5);

/** One benchmarked kernel call on one layer shape; buffers are prepared before run() is timed. */
export interface BenchCase {
  /** Manifest kernel name, e.g. 'f32-gemm-2x16'. */
  kernel: string;
  /** Network the shape comes from, e.g. 'MobileNetV2 1.0/224'. */
  model: string;
  /** Human-readable shape, e.g. '56x56 144->24'. */
  shape: string;
  /** Floating-point operations per run() (2 per multiply-add). 0 for pure data movement. */
  flops: number;
  /** Bytes read + written per run(), for data-movement kernels (reported as GB/s). */
  bytes?: number;
  /** Goal group this case counts towards ('pointwise-mbv2', 'dwconv3x3'), if any. */
  goal?: string;
  run: () => void;
}

export type CaseFactory = (k: Kernels) => BenchCase[];
