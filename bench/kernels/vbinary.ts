import { Act } from '../../src/kernels/act.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { seGate, vbinary, vbinaryScalar } from '../../src/kernels/vbinary.js';
import { benchData as rand, type BenchCase, type CaseFactory } from './types.js';

const V2 = 'MobileNetV2 1.0/224';
const V3L = 'MobileNetV3-Large 1.0/224';
const SV1 = 'ShuffleNet v1 g=3 1x';

// flops = 1 per output element; bytes = everything read + written (memory-bound kernels).

/** Residual add y = act(a + b), both h*w x c. */
function residualCase(k: Kernels, model: string, h: number, w: number, c: number, act: 0 | 1): BenchCase {
  const n = h * w * c;
  const a = k.arena.put(rand(n, 1));
  const b = k.arena.put(rand(n, 2));
  const y = k.arena.allocF32(n);
  return {
    kernel: 'f32-vbinary-x8',
    model,
    shape: `add ${h}x${w}x${c}${act ? ' relu' : ''}`,
    flops: n,
    bytes: 12 * n,
    run: () => vbinary(k, { op: 'add', rows: h * w, cols: c, a, b, y, act }),
  };
}

/** Per-channel broadcast add (bias-like): y = a + b[c], bStride 0. */
function broadcastCase(k: Kernels, model: string, h: number, w: number, c: number): BenchCase {
  const n = h * w * c;
  const a = k.arena.put(rand(n, 3));
  const b = k.arena.put(rand(c, 4));
  const y = k.arena.allocF32(n);
  return {
    kernel: 'f32-vbinary-x8',
    model,
    shape: `add bcast ${h}x${w}x${c}`,
    flops: n,
    bytes: 8 * n + 4 * c,
    run: () => vbinary(k, { op: 'add', rows: h * w, cols: c, a, b, bStride: 0, y, act: Act.linear }),
  };
}

/**
 * SE gate y = x * g[c] (the vbinary mul kernel with bStride 0). Not in place here: repeated
 * in-place gating by |g| < 1 decays x into denormals and times those instead.
 */
function seCase(k: Kernels, model: string, h: number, w: number, c: number): BenchCase {
  const n = h * w * c;
  const x = k.arena.put(rand(n, 5));
  const g = k.arena.put(rand(c, 6));
  const y = k.arena.allocF32(n);
  return {
    kernel: 'f32-vbinary-x8',
    model,
    shape: `seGate ${h}x${w}x${c}`,
    flops: n,
    bytes: 8 * n + 4 * c,
    run: () => seGate(k, { pixels: h * w, c, x, g, y }),
  };
}

function scalarCase(k: Kernels, model: string, h: number, w: number, c: number): BenchCase {
  const n = h * w * c;
  const a = k.arena.put(rand(n, 7));
  const y = k.arena.allocF32(n);
  return {
    kernel: 'f32-vbinary-x8-scalar',
    model,
    shape: `mul s ${h}x${w}x${c}`,
    flops: n,
    bytes: 8 * n,
    run: () => vbinaryScalar(k, { op: 'mul', rows: h * w, cols: c, a, s: 1 / 6, y, act: Act.linear }),
  };
}

export const cases: CaseFactory = (k) => [
  residualCase(k, V2, 56, 56, 24, 0),
  residualCase(k, V2, 28, 28, 32, 0),
  residualCase(k, SV1, 28, 28, 240, 1),
  seCase(k, V3L, 28, 28, 120),
  seCase(k, V3L, 14, 14, 672),
  broadcastCase(k, V2, 14, 14, 96),
  scalarCase(k, V3L, 28, 28, 120),
];
