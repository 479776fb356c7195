import type { Kernels } from '../../src/kernels/loader.js';
import { softmax } from '../../src/kernels/softmax.js';
import { benchData, type BenchCase, type CaseFactory } from './types.js';

/** Logits spread over [-4, 4). */
const rand = (n: number, seed: number): Float32Array => benchData(n, seed).map((v) => 8 * v);

// flops per element: max 1, sub 1, expx4 ~18 (clamps 2, mul, round, 2 range-reduction and
// 6 polynomial mul-adds, scale mul), sum 1, normalise 1 = ~22.
// bytes per element: x read twice (max, exp), y written twice and read once = 20.
const FLOPS_PER = 22;

function softmaxCase(k: Kernels, model: string, rows: number, cols: number, shape: string): BenchCase {
  const n = rows * cols;
  const x = k.arena.put(rand(n, 1));
  const y = k.arena.allocF32(n);
  return {
    kernel: 'f32-softmax-x8',
    model,
    shape,
    flops: FLOPS_PER * n,
    bytes: 20 * n,
    run: () => softmax(k, { rows, cols, x, y }),
  };
}

export const cases: CaseFactory = (k) => [
  softmaxCase(k, 'MobileNetV2 1.0/224', 1, 1000, 'classifier 1x1000'),
  softmaxCase(k, 'MobileNetV2 seg head', 256 * 256, 2, '256x256 x 2 classes'),
  softmaxCase(k, 'MobileNetV2 seg head', 256 * 256, 21, '256x256 x 21 classes'),
];
