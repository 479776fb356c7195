import { Act } from '../../src/kernels/act.js';
import { conv, packConvWeights } from '../../src/kernels/conv.js';
import type { Kernels } from '../../src/kernels/loader.js';
import { samePadding } from '../shapes.js';
import { benchData as rand, type BenchCase, type CaseFactory } from './types.js';

interface ConvShape {
  model: string;
  h: number;
  w: number;
  cin: number;
  cout: number;
  k: number;
  s: number;
  groups?: number;
  /** 'same' = TF SAME (pad after), 'torch' = pad (k-1)/2 on every side. */
  pad: 'same' | 'torch';
}

/** Taps of one spatial dimension that touch a real input pixel, summed over output positions. */
function realTaps(inN: number, outN: number, k: number, s: number, pad: number, d = 1): number {
  let n = 0;
  for (let o = 0; o < outN; o++) {
    for (let t = 0; t < k; t++) {
      const i = o * s - pad + t * d;
      if (i >= 0 && i < inN) n++;
    }
  }
  return n;
}

function convCase(k: Kernels, c: ConvShape, kernel?: string): BenchCase {
  const groups = c.groups ?? 1;
  let pt: number, ph: number, pl: number, ow: number;
  if (c.pad === 'same') {
    [pt, , ph] = samePadding(c.h, c.k, c.s);
    [pl, , ow] = samePadding(c.w, c.k, c.s);
  } else {
    pt = pl = (c.k - 1) >> 1;
    ph = Math.floor((c.h + 2 * pt - c.k) / c.s) + 1;
    ow = Math.floor((c.w + 2 * pl - c.k) / c.s) + 1;
  }
  const x = k.arena.put(rand(c.h * c.w * c.cin, 1));
  const y = k.arena.allocF32(ph * ow * c.cout);
  const w = k.arena.put(packConvWeights(rand(c.cout * c.k * c.k * (c.cin / groups), 2), rand(c.cout, 3), c.cout, c.k, c.k, c.cin, groups));
  const args = {
    inH: c.h, inW: c.w, cin: c.cin, x, outH: ph, outW: ow, cout: c.cout, y, w, kh: c.k, kw: c.k,
    strideH: c.s, strideW: c.s, padTop: pt, padLeft: pl, groups, act: Act.relu6, kernel,
  };
  const macs = realTaps(c.h, ph, c.k, c.s, pt) * realTaps(c.w, ow, c.k, c.s, pl) * (c.cin / groups) * c.cout;
  return {
    kernel: kernel ?? (c.cin === 3 && c.k === 3 && c.s === 2 && groups === 1 ? 'f32-conv-3x3s2-c3' : 'f32-conv-kxk-4x8'),
    model: c.model,
    shape: `${c.h}x${c.w}x${c.cin}->${ph}x${ow}x${c.cout} k${c.k}s${c.s}${groups > 1 ? ` g${groups}` : ''} ${c.pad}`,
    flops: 2 * macs,
    run: () => conv(k, args),
  };
}

const STEMS: ConvShape[] = [
  { model: 'MobileNetV2 1.0/224 stem', h: 224, w: 224, cin: 3, cout: 32, k: 3, s: 2, pad: 'same' },
  { model: 'MobileNetV3-L/S 224 stem', h: 224, w: 224, cin: 3, cout: 16, k: 3, s: 2, pad: 'same' },
  { model: 'MobileNetV2 stem (ONNX)', h: 224, w: 224, cin: 3, cout: 32, k: 3, s: 2, pad: 'torch' },
];

const OTHERS: ConvShape[] = [
  { model: 'grouped 3x3 (ResNeXt-like)', h: 28, w: 28, cin: 128, cout: 128, k: 3, s: 1, groups: 4, pad: 'torch' },
  { model: 'grouped 3x3 s2', h: 56, w: 56, cin: 64, cout: 64, k: 3, s: 2, groups: 8, pad: 'same' },
  { model: 'dense 3x3 (decoder head)', h: 56, w: 56, cin: 32, cout: 32, k: 3, s: 1, pad: 'torch' },
];

/** The stems through their dispatched kernel (the stem kernel) and through the general kernel, then other shapes. */
export const cases: CaseFactory = (k) => [
  ...STEMS.map((c) => convCase(k, c)),
  ...STEMS.map((c) => convCase(k, c, 'f32-conv-kxk-4x8')),
  ...OTHERS.map((c) => convCase(k, c)),
];
