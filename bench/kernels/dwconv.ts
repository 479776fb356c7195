import { Act } from '../../src/kernels/act.js';
import { dwconv, packDwconvWeights } from '../../src/kernels/dwconv.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { DEPTHWISE, samePadding } from '../shapes.js';
import type { BenchCase, CaseFactory } from './types.js';

/**
 * Every DEPTHWISE shape of bench/shapes.ts (TF SAME padding, relu6 epilogue) through the
 * dispatched kernel. The k=3 MobileNetV2 shapes form the 'dwconv3x3' goal.
 * FLOPs = 2 * outH * outW * c * k * k.
 */
export const cases: CaseFactory = (k: Kernels): BenchCase[] => {
  const out: BenchCase[] = [];
  for (const s of DEPTHWISE) {
    const [padTop, padBottom, outH] = samePadding(s.h, s.k, s.s);
    const [padLeft, padRight, outW] = samePadding(s.w, s.k, s.s);
    const x = k.arena.allocF32(s.h * s.w * s.c);
    k.arena.write(x, Float32Array.from({ length: s.h * s.w * s.c }, (_, i) => ((i * 7919) % 1000) / 1000 - 0.5));
    const wts = Float32Array.from({ length: s.k * s.k * s.c }, (_, i) => ((i * 104729) % 1000) / 5000 - 0.1);
    const w = k.arena.put(packDwconvWeights(wts, new Float32Array(s.c).fill(0.01), s.c, s.k, s.k));
    const y = k.arena.allocF32(outH * outW * s.c);
    const args = {
      inH: s.h, inW: s.w, c: s.c, x, outH, outW, y, w, kh: s.k, kw: s.k, strideH: s.s, strideW: s.s,
      padTop, padLeft, padBottom, padRight, act: Act.relu6,
    };
    const kernel = dwconv(k, args); // validates once and tells which kernel runs
    out.push({
      kernel,
      model: s.model,
      shape: `${s.h}x${s.w}x${s.c} k${s.k} s${s.s}`,
      flops: 2 * outH * outW * s.c * s.k * s.k,
      goal: s.k === 3 && s.model.startsWith('MobileNetV2') ? 'dwconv3x3' : undefined,
      run: () => {
        dwconv(k, args);
      },
    });
  }
  return out;
};
