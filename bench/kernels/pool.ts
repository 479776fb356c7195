import { Act } from '../../src/kernels/act.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { avgPool, globalAvgPool, maxPool } from '../../src/kernels/pool.js';
import { samePadding } from '../shapes.js';
import { benchData as rand, type BenchCase, type CaseFactory } from './types.js';

const V2 = 'MobileNetV2 1.0/224';
const V3L = 'MobileNetV3-Large 1.0/224';
const SV1 = 'ShuffleNet v1 g=3 1x';

/**
 * kxk pooling with TF SAME padding on an h x w x c input. The output is a channel slice
 * (yStride floats per pixel) as in ShuffleNet v1, whose shortcut pool writes the first c
 * channels of the unit's concat output. flops = kh*kw per output element; bytes = input read
 * once + output written once (the minimum traffic: these kernels are memory-bound).
 */
function kxkCase(k: Kernels, kind: 'max' | 'avg', model: string, h: number, w: number, c: number, kk: number, s: number, yStride: number): BenchCase {
  const [pt, , oh] = samePadding(h, kk, s);
  const [pl, , ow] = samePadding(w, kk, s);
  const x = k.arena.put(rand(h * w * c, 1));
  const y = k.arena.allocF32(oh * ow * yStride);
  const args = { inH: h, inW: w, c, x, outH: oh, outW: ow, y, yStride, kh: kk, kw: kk, strideH: s, strideW: s, padTop: pt, padLeft: pl };
  const run = kind === 'max' ? () => maxPool(k, { ...args, act: Act.linear }) : () => avgPool(k, { ...args, countIncludePad: false, act: Act.linear });
  return {
    kernel: `f32-pool-kxk-${kind}`,
    model,
    shape: `${h}x${w}x${c} ${kk}x${kk}s${s}${yStride !== c ? ` ->slice/${yStride}` : ''}`,
    flops: kk * kk * oh * ow * c,
    bytes: 4 * (h * w * c + oh * ow * c),
    run,
  };
}

function globalCase(k: Kernels, model: string, h: number, w: number, c: number): BenchCase {
  const x = k.arena.put(rand(h * w * c, 2));
  const y = k.arena.allocF32(c);
  return {
    kernel: 'f32-pool-global-avg',
    model,
    shape: `${h}x${w}x${c}`,
    flops: h * w * c,
    bytes: 4 * (h * w * c + c),
    run: () => globalAvgPool(k, { pixels: h * w, c, x, y, act: Act.linear }),
  };
}

export const cases: CaseFactory = (k) => [
  globalCase(k, V2, 7, 7, 1280), // classifier head
  globalCase(k, V3L, 14, 14, 480), // SE squeeze
  globalCase(k, V3L, 14, 14, 672),
  kxkCase(k, 'avg', SV1, 56, 56, 24, 3, 2, 240), // stage 2 unit 1 shortcut -> concat(24 + 216)
  kxkCase(k, 'avg', SV1, 28, 28, 240, 3, 2, 480), // stage 3 unit 1 shortcut -> concat(240 + 240)
  kxkCase(k, 'max', SV1, 112, 112, 24, 3, 2, 24), // stem max pool
];
