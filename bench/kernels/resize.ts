import type { Kernels } from '../../src/kernels/loader.js';
import { resizeBilinear, resizeNearest, type ResizeMode } from '../../src/kernels/resize.js';
import { benchData as rand, type BenchCase, type CaseFactory } from './types.js';

// bytes = input read once + output written (neighbour re-reads hit cache).

/** Segmentation head: logits upsampled to the input resolution. flops: 3 lerps = 3 mul-adds per output. */
function bilinearCase(k: Kernels, model: string, inH: number, inW: number, c: number, outH: number, outW: number, mode: ResizeMode): BenchCase {
  const x = k.arena.put(rand(inH * inW * c, 1));
  const y = k.arena.allocF32(outH * outW * c);
  const out = outH * outW * c;
  return {
    kernel: 'f32-resize-bilinear-x4',
    model,
    shape: `${inH}x${inW}x${c} -> ${outH}x${outW} ${mode}`,
    flops: 6 * out,
    bytes: 4 * (inH * inW * c + out),
    run: () => resizeBilinear(k, { inH, inW, c, x, outH, outW, y, mode }),
  };
}

/** FPN / SSDLite-style x2 nearest upsample. Pure data movement. */
function nearestCase(k: Kernels, model: string, inH: number, inW: number, c: number, outH: number, outW: number): BenchCase {
  const x = k.arena.put(rand(inH * inW * c, 2));
  const y = k.arena.allocF32(outH * outW * c);
  return {
    kernel: 'f32-resize-nearest-x4',
    model,
    shape: `${inH}x${inW}x${c} -> ${outH}x${outW}`,
    flops: 0,
    bytes: 4 * (inH * inW * c + outH * outW * c),
    run: () => resizeNearest(k, { inH, inW, c, x, outH, outW, y, mode: 'legacy' }),
  };
}

export const cases: CaseFactory = (k) => [
  bilinearCase(k, 'MobileNetV2 seg head', 32, 32, 16, 256, 256, 'half_pixel'),
  bilinearCase(k, 'MobileNetV2 seg head', 32, 32, 2, 256, 256, 'half_pixel'),
  nearestCase(k, 'MobileNet FPN upsample', 14, 14, 96, 28, 28),
];
