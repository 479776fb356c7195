import { Act } from '../../src/kernels/act.js';
import { deconv, packDeconvWeights, selectDeconvKernel } from '../../src/kernels/deconv.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { benchData as rand, type BenchCase, type CaseFactory } from './types.js';

/** Taps (input position, kernel offset) of one dimension that land on a real output pixel. */
function realTaps(inN: number, outN: number, k: number, s: number, pad: number): number {
  let n = 0;
  for (let i = 0; i < inN; i++) {
    for (let t = 0; t < k; t++) {
      const o = i * s - pad + t;
      if (o >= 0 && o < outN) n++;
    }
  }
  return n;
}

const MODEL = 'MobileNetV2 seg. decoder';
/** Decoder upsampling steps x2: in h, w, cin -> cout. */
const STEPS: Array<[number, number, number]> = [
  [7, 320, 96],
  [14, 96, 32],
  [28, 32, 24],
  [56, 24, 16],
  [112, 16, 8],
];

function deconvCase(k: Kernels, h: number, cin: number, cout: number, kk: number, s: number, pad: number, kernel?: string): BenchCase {
  const oh = (h - 1) * s + kk - 2 * pad;
  const x = k.arena.put(rand(h * h * cin, 1));
  const y = k.arena.allocF32(oh * oh * cout);
  const w = k.arena.put(packDeconvWeights(rand(cout * kk * kk * cin, 2), rand(cout, 3), cout, kk, kk, cin));
  const args = {
    inH: h, inW: h, cin, x, outH: oh, outW: oh, cout, y, w, kh: kk, kw: kk, strideH: s, strideW: s,
    padTop: pad, padLeft: pad, act: Act.relu, kernel,
  };
  const taps = realTaps(h, oh, kk, s, pad);
  return {
    kernel: kernel ?? selectDeconvKernel(args),
    model: MODEL,
    shape: `${h}x${h}x${cin}->${oh}x${oh}x${cout} k${kk}s${s}p${pad}`,
    flops: 2 * taps * taps * cin * cout,
    run: () => deconv(k, args),
  };
}

/** Every decoder step with 4x4 s2 p1 and 2x2 s2 (dispatched kernels), then 4x4 s2 p1 through the general kernel. */
export const cases: CaseFactory = (k) => [
  ...STEPS.map(([h, ci, co]) => deconvCase(k, h, ci, co, 4, 2, 1)),
  ...STEPS.map(([h, ci, co]) => deconvCase(k, h, ci, co, 2, 2, 0)),
  ...STEPS.map(([h, ci, co]) => deconvCase(k, h, ci, co, 4, 2, 1, 'f32-deconv-kxk-4x8')),
  deconvCase(k, 28, 32, 24, 3, 2, 1),
];
