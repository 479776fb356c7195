import { Act } from '../../src/kernels/act.js';
import { gemv, packGemvWeights, packedGemvSize } from '../../src/kernels/gemv.js';
import type { BenchCase, CaseFactory } from './types.js';

const HEADS: Array<{ model: string; k: number; n: number }> = [
  { model: 'MobileNetV2 1.0/224', k: 1280, n: 1000 },
  { model: 'MobileNetV3-Large 1.0/224', k: 1280, n: 1000 },
  { model: 'MobileNetV1 1.0/224', k: 1024, n: 1000 },
  { model: 'MobileNetV3-Small 1.0/224', k: 1024, n: 1000 },
  { model: 'MobileNetV3-Small 1.0/224', k: 576, n: 1024 },
];

/** Classifier heads (batch-1 fully connected): memory-bound, so bytes (weights + x + y) are reported. */
export const cases: CaseFactory = (k) =>
  HEADS.filter((h, i) => HEADS.findIndex((o) => o.k === h.k && o.n === h.n) === i).map((h): BenchCase => {
    const w = new Float32Array(h.n * h.k);
    for (let i = 0; i < w.length; i++) w[i] = ((i * 2654435761) % 1000) / 1000 - 0.5;
    const wp = k.arena.put(packGemvWeights(w, null, h.n, h.k));
    const x = k.arena.put(new Float32Array(h.k).fill(0.01));
    const y = k.arena.allocF32(h.n);
    return {
      kernel: 'f32-gemv-1x16',
      model: h.model,
      shape: `${h.k}->${h.n}`,
      flops: 2 * h.n * h.k,
      bytes: 4 * (packedGemvSize(h.n, h.k) + h.k + h.n),
      run: () => gemv(k, { n: h.n, k: h.k, x, w: wp, y, act: Act.linear }),
    };
  });
