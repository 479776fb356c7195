/**
 * Op coverage of the TF.js graph-model importer: one tiny hand-written model.json per op /
 * attribute combination, run through Session (both wasm builds, and unoptimised), compared with
 * an independent float64 evaluator of TensorFlow semantics (tfjs-ops-helpers.ts). Awkward sizes
 * on purpose: channels 3, 5, 6, 7, 9; 5x7 images; stride 2; batch 1 and 2.
 */
import { describe, expect, it } from 'vitest';
import { UnsupportedOpError } from '../../src/errors.js';
import { importTfjsGraphModel, type TfjsModelJson } from '../../src/importers/tfjs/index.js';
import { Session, type SessionOptions } from '../../src/runtime/index.js';
import { expectClose } from '../helpers/kernels.js';
import {
  A, ACT, add, asHalf, concat, conv2d, conv2dTranspose, depthwise, div, fusedEpilogue, matmul, maximum, mean, minimum, mul, pad, pool,
  prelu, rand, reshape, resizeBilinear, resizeNearest, slice, softmax, split, sub, ten, TfModel, transpose, unary, type ResizeMode, type Ten,
} from './tfjs-ops-helpers.js';

/** max|Δ| <= 1e-4 * max|expected|. */
const TOL = 1e-4;

const CONFIGS: { label: string; opts: SessionOptions }[] = [
  { label: 'simd', opts: { variant: 'simd' } },
  { label: 'relaxed', opts: { variant: 'relaxed' } },
  { label: 'simd, optimize: false', opts: { variant: 'simd', optimize: false } },
];

/** A model under construction plus random data for its inputs and constants. */
function model(seed: number) {
  const m = new TfModel();
  const r = rand(seed);
  const feeds: Record<string, Ten> = {};
  return {
    m,
    r,
    feeds,
    /** Placeholder with random values in [lo, hi). */
    input(name: string, shape: number[], lo = -1, hi = 1): Ten {
      m.input(name, shape);
      const t = ten(shape, r(shape.reduce((a, b) => a * b, 1), lo, hi));
      feeds[name] = t;
      return t;
    },
    /** float32 Const with random values in [lo, hi). */
    rconst(name: string, shape: number[], lo = -1, hi = 1): Ten {
      const d = r(shape.reduce((a, b) => a * b, 1), lo, hi);
      m.const(name, shape, d);
      return ten(shape, d);
    },
    /** float32 Const with the given values. */
    fconst(name: string, shape: number[], values: number[]): Ten {
      const d = Float32Array.from(values);
      m.const(name, shape, d);
      return ten(shape, d);
    },
    /** float16-quantized Const: the reference sees the rounded values. */
    hconst(name: string, shape: number[], values: number[]): Ten {
      m.const(name, shape, values, 'float16');
      return ten(shape, values.map(asHalf));
    },
  };
}

/**
 * Imports the model for `expected`'s outputs, runs every config, compares shapes and values.
 * Returns the (optimised, simd) session of the first config for plan checks.
 */
async function check(t: ReturnType<typeof model>, expected: Record<string, Ten>): Promise<Session> {
  const { modelJson, weights } = t.m.build();
  const outputs = Object.keys(expected);
  let first: Session | undefined;
  for (const cfg of CONFIGS) {
    const graph = importTfjsGraphModel(modelJson as unknown as TfjsModelJson, weights, { outputs });
    const s = await Session.create(graph, cfg.opts);
    const feeds = Object.fromEntries(Object.entries(t.feeds).map(([k, v]) => [k, { data: Float32Array.from(v.data), shape: [...v.shape] }]));
    const out = await s.run(feeds);
    for (const [name, want] of Object.entries(expected)) {
      expect(out[name], `${cfg.label}: output '${name}' missing`).toBeDefined();
      expect(out[name].shape, `${cfg.label}: shape of '${name}'`).toEqual(want.shape);
      expectClose(out[name].data, want.data, `${cfg.label}: '${name}'`, TOL);
    }
    if (!first) first = s;
    else s.release();
  }
  return first!;
}

const conv = (stride: number, padding: 'SAME' | 'VALID' | 'EXPLICIT' = 'SAME', dil = 1) => ({
  strides: A.ints([1, stride, stride, 1]), padding: A.s(padding), data_format: A.s('NHWC'), dilations: A.ints([1, dil, dil, 1]),
  explicit_paddings: { list: {} }, use_cudnn_on_gpu: A.b(true),
});

const FUSED: string[][] = [
  ['BiasAdd'], ['BiasAdd', 'Relu'], ['BiasAdd', 'Relu6'], ['BiasAdd', 'Prelu'], ['BiasAdd', 'LeakyRelu'], ['BiasAdd', 'Sigmoid'], ['BiasAdd', 'Elu'],
];
const LEAK = 0.3;

describe('TF.js importer: convolutions', () => {
  it('Conv2D 3x3 SAME stride 2, batch 2, 5x7x3 -> 6', async () => {
    const t = model(1);
    const x = t.input('x', [2, 5, 7, 3]);
    const f = t.rconst('w', [3, 3, 3, 6]);
    t.m.node('y', 'Conv2D', ['x', 'w'], conv(2));
    await check(t, { y: conv2d(x, f, [2, 2], 'SAME') });
  });

  it('Conv2D 2x3 VALID stride 1, 5x7x5 -> 7', async () => {
    const t = model(2);
    const x = t.input('x', [1, 5, 7, 5]);
    const f = t.rconst('w', [2, 3, 5, 7]);
    t.m.node('y', 'Conv2D', ['x', 'w'], conv(1, 'VALID'));
    await check(t, { y: conv2d(x, f, [1, 1], 'VALID') });
  });

  it('Conv2D 3x3 SAME dilation 2, 5x7x6 -> 5', async () => {
    const t = model(3);
    const x = t.input('x', [1, 5, 7, 6]);
    const f = t.rconst('w', [3, 3, 6, 5]);
    t.m.node('y', 'Conv2D', ['x', 'w'], conv(1, 'SAME', 2));
    await check(t, { y: conv2d(x, f, [1, 1], 'SAME', [2, 2]) });
  });

  it('Conv2D EXPLICIT paddings [[0,0],[1,2],[0,1],[0,0]] 3x3 stride 2, 5x7x3 -> 5', async () => {
    const t = model(4);
    const x = t.input('x', [1, 5, 7, 3]);
    const f = t.rconst('w', [3, 3, 3, 5]);
    t.m.node('y', 'Conv2D', ['x', 'w'], { ...conv(2, 'EXPLICIT'), explicit_paddings: A.ints([0, 0, 1, 2, 0, 1, 0, 0]) });
    await check(t, { y: conv2d(pad(x, [[0, 0], [1, 2], [0, 1], [0, 0]]), f, [2, 2], 'VALID') });
  });

  // Odd SAME pad totals: TF puts the extra row / column after (bottom / right).
  it('Conv2D 3x3 SAME stride 2 on 6x8 (pad total 1: bottom / right only), batch 2, 6x8x5 -> 6', async () => {
    const t = model(6);
    const x = t.input('x', [2, 6, 8, 5]);
    const f = t.rconst('w', [3, 3, 5, 6]);
    t.m.node('y', 'Conv2D', ['x', 'w'], conv(2));
    await check(t, { y: conv2d(x, f, [2, 2], 'SAME') });
  });

  it('Conv2D 4x4 SAME stride 1 (pad total 3: 1 before, 2 after), 5x7x3 -> 5', async () => {
    const t = model(7);
    const x = t.input('x', [1, 5, 7, 3]);
    const f = t.rconst('w', [4, 4, 3, 5]);
    t.m.node('y', 'Conv2D', ['x', 'w'], conv(1));
    await check(t, { y: conv2d(x, f, [1, 1], 'SAME') });
  });

  it('Conv2D 2x2 SAME stride 2 dilation 1 on 5x7 and 3x3 SAME stride 1 dilation 2 on 6x8 (odd totals)', async () => {
    const t = model(8);
    const x = t.input('x', [1, 5, 7, 3]);
    const z = t.input('z', [1, 6, 8, 3]);
    const f = t.rconst('w', [2, 2, 3, 5]);
    const g = t.rconst('g', [3, 3, 3, 6]);
    t.m.node('a', 'Conv2D', ['x', 'w'], conv(2));
    t.m.node('b', 'Conv2D', ['z', 'g'], { ...conv(2), dilations: A.ints([1, 2, 2, 1]), strides: A.ints([1, 1, 1, 1]) });
    await check(t, { a: conv2d(x, f, [2, 2], 'SAME'), b: conv2d(z, g, [1, 1], 'SAME', [2, 2]) });
  });

  it('DepthwiseConv2dNative 3x3 and 5x5 SAME stride 2 on 6x8 (pad totals 1 and 3), batch 2, 7 channels', async () => {
    const t = model(9);
    const x = t.input('x', [2, 6, 8, 7]);
    const f3 = t.rconst('w3', [3, 3, 7, 1]);
    const f5 = t.rconst('w5', [5, 5, 7, 1]);
    t.m.node('a', 'DepthwiseConv2dNative', ['x', 'w3'], conv(2));
    t.m.node('b', 'DepthwiseConv2dNative', ['x', 'w5'], conv(2));
    await check(t, { a: depthwise(x, f3, [2, 2], 'SAME'), b: depthwise(x, f5, [2, 2], 'SAME') });
  });

  it('grouped Conv2D 3x3 SAME stride 2 on 6x8 (odd pad total), input 6 channels, filter [3,3,3,4] (2 groups)', async () => {
    const t = model(19);
    const x = t.input('x', [1, 6, 8, 6]);
    const f = t.rconst('w', [3, 3, 3, 4]);
    t.m.node('y', 'Conv2D', ['x', 'w'], conv(2));
    await check(t, { y: conv2d(x, f, [2, 2], 'SAME') });
  });

  it('Conv2D 1x1, batch 2, 5x7x7 -> 5', async () => {
    const t = model(5);
    const x = t.input('x', [2, 5, 7, 7]);
    const f = t.rconst('w', [1, 1, 7, 5]);
    t.m.node('y', 'Conv2D', ['x', 'w'], conv(1));
    await check(t, { y: conv2d(x, f, [1, 1], 'SAME') });
  });

  for (const [i, ops] of FUSED.entries()) {
    it(`_FusedConv2D fused_ops [${ops.join(', ')}]: 3x3 SAME stride 2, batch 2, 5x7x5 -> 7`, async () => {
      const t = model(10 + i);
      const x = t.input('x', [2, 5, 7, 5], -2, 2);
      const f = t.rconst('w', [3, 3, 5, 7]);
      const bias = t.rconst('b', [7]);
      const alpha = ops.includes('Prelu') ? t.rconst('alpha', [1, 1, 7], 0.05, 0.5) : undefined;
      t.m.node('y', '_FusedConv2D', ['x', 'w', 'b', ...(alpha ? ['alpha'] : [])], {
        ...conv(2), fused_ops: A.strs(ops), num_args: A.i(alpha ? 2 : 1), epsilon: A.f(0), ...(ops.includes('LeakyRelu') ? { leakyrelu_alpha: A.f(LEAK) } : {}),
      });
      await check(t, { y: fusedEpilogue(conv2d(x, f, [2, 2], 'SAME'), ops, { bias, alpha, leak: LEAK }) });
    });
  }

  it('_FusedConv2D [BiasAdd, Relu6] 1x1 (pointwise), batch 2, 5x7x6 -> 9', async () => {
    const t = model(20);
    const x = t.input('x', [2, 5, 7, 6], -3, 3);
    const f = t.rconst('w', [1, 1, 6, 9]);
    const bias = t.rconst('b', [9]);
    t.m.node('y', '_FusedConv2D', ['x', 'w', 'b'], { ...conv(1), fused_ops: A.strs(['BiasAdd', 'Relu6']), num_args: A.i(1), epsilon: A.f(0) });
    await check(t, { y: fusedEpilogue(conv2d(x, f, [1, 1], 'SAME'), ['BiasAdd', 'Relu6'], { bias }) });
  });

  it('DepthwiseConv2dNative 3x3 SAME stride 1, batch 2, 5x7x5', async () => {
    const t = model(21);
    const x = t.input('x', [2, 5, 7, 5]);
    const f = t.rconst('w', [3, 3, 5, 1]);
    t.m.node('y', 'DepthwiseConv2dNative', ['x', 'w'], conv(1));
    await check(t, { y: depthwise(x, f, [1, 1], 'SAME') });
  });

  it('DepthwiseConv2dNative 5x5 VALID stride 2, 9x11x6', async () => {
    const t = model(22);
    const x = t.input('x', [1, 9, 11, 6]);
    const f = t.rconst('w', [5, 5, 6, 1]);
    t.m.node('y', 'DepthwiseConv2dNative', ['x', 'w'], conv(2, 'VALID'));
    await check(t, { y: depthwise(x, f, [2, 2], 'VALID') });
  });

  it('DepthwiseConv2dNative 3x3 SAME dilation 2, 5x7x7', async () => {
    const t = model(23);
    const x = t.input('x', [1, 5, 7, 7]);
    const f = t.rconst('w', [3, 3, 7, 1]);
    t.m.node('y', 'DepthwiseConv2dNative', ['x', 'w'], conv(1, 'SAME', 2));
    await check(t, { y: depthwise(x, f, [1, 1], 'SAME', [2, 2]) });
  });

  for (const [i, ops] of FUSED.entries()) {
    it(`FusedDepthwiseConv2dNative fused_ops [${ops.join(', ')}]: 3x3 SAME stride 2, batch 2, 5x7x6`, async () => {
      const t = model(30 + i);
      const x = t.input('x', [2, 5, 7, 6], -2, 2);
      const f = t.rconst('w', [3, 3, 6, 1]);
      const bias = t.rconst('b', [6]);
      const alpha = ops.includes('Prelu') ? t.rconst('alpha', [1, 1, 6], 0.05, 0.5) : undefined;
      t.m.node('y', 'FusedDepthwiseConv2dNative', ['x', 'w', 'b', ...(alpha ? ['alpha'] : [])], {
        ...conv(2), fused_ops: A.strs(ops), num_args: A.i(alpha ? 2 : 1), ...(ops.includes('LeakyRelu') ? { leakyrelu_alpha: A.f(LEAK) } : {}),
      });
      await check(t, { y: fusedEpilogue(depthwise(x, f, [2, 2], 'SAME'), ops, { bias, alpha, leak: LEAK }) });
    });
  }

  it('FusedDepthwiseConv2dNative [BiasAdd, LeakyRelu] without a leakyrelu_alpha attribute (TF default 0.2)', async () => {
    const t = model(37);
    const x = t.input('x', [1, 5, 7, 5], -2, 2);
    const f = t.rconst('w', [3, 3, 5, 1]);
    const bias = t.rconst('b', [5]);
    t.m.node('y', 'FusedDepthwiseConv2dNative', ['x', 'w', 'b'], { ...conv(1), fused_ops: A.strs(['BiasAdd', 'LeakyRelu']), num_args: A.i(1) });
    await check(t, { y: fusedEpilogue(depthwise(x, f, [1, 1], 'SAME'), ['BiasAdd', 'LeakyRelu'], { bias, leak: 0.2 }) });
  });

  it('grouped Conv2D: 3x3 SAME stride 2, batch 2, input 6 channels, filter [3,3,2,9] (3 groups)', async () => {
    const t = model(40);
    const x = t.input('x', [2, 5, 7, 6]);
    const f = t.rconst('w', [3, 3, 2, 9]);
    t.m.node('y', 'Conv2D', ['x', 'w'], conv(2));
    await check(t, { y: conv2d(x, f, [2, 2], 'SAME') });
  });

  it('grouped Conv2D 1x1: batch 2, input 6 channels, filter [1,1,3,10] (2 groups)', async () => {
    const t = model(41);
    const x = t.input('x', [2, 5, 7, 6]);
    const f = t.rconst('w', [1, 1, 3, 10]);
    t.m.node('y', 'Conv2D', ['x', 'w'], conv(1));
    await check(t, { y: conv2d(x, f, [1, 1], 'SAME') });
  });

  it('grouped _FusedConv2D [BiasAdd, Relu]: 3x3 VALID, input 9 channels, filter [3,3,3,6] (3 groups)', async () => {
    const t = model(42);
    const x = t.input('x', [1, 5, 7, 9]);
    const f = t.rconst('w', [3, 3, 3, 6]);
    const bias = t.rconst('b', [6]);
    t.m.node('y', '_FusedConv2D', ['x', 'w', 'b'], { ...conv(1, 'VALID'), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), epsilon: A.f(0) });
    await check(t, { y: fusedEpilogue(conv2d(x, f, [1, 1], 'VALID'), ['BiasAdd', 'Relu'], { bias }) });
  });

  it('Conv2DBackpropInput 3x3 SAME stride 2, batch 2, 5x7x6 -> 10x14x3', async () => {
    const t = model(43);
    const x = t.input('x', [2, 5, 7, 6]);
    t.m.ints('sizes', [2, 10, 14, 3]);
    const f = t.rconst('w', [3, 3, 3, 6]);
    t.m.node('y', 'Conv2DBackpropInput', ['sizes', 'w', 'x'], conv(2));
    await check(t, { y: conv2dTranspose(x, f, [2, 10, 14, 3], [2, 2], 'SAME') });
  });

  it('Conv2DBackpropInput 3x3 VALID stride 2, 5x7x5 -> 11x15x3', async () => {
    const t = model(44);
    const x = t.input('x', [1, 5, 7, 5]);
    t.m.ints('sizes', [1, 11, 15, 3]);
    const f = t.rconst('w', [3, 3, 3, 5]);
    t.m.node('y', 'Conv2DBackpropInput', ['sizes', 'w', 'x'], conv(2, 'VALID'));
    await check(t, { y: conv2dTranspose(x, f, [1, 11, 15, 3], [2, 2], 'VALID') });
  });
});

describe('TF.js importer: MatMul', () => {
  const mm = (ta: boolean, tb: boolean) => ({ transpose_a: A.b(ta), transpose_b: A.b(tb) });

  it('MatMul [3,7] x [7,5]', async () => {
    const t = model(50);
    const x = t.input('x', [3, 7]);
    const w = t.rconst('w', [7, 5]);
    t.m.node('y', 'MatMul', ['x', 'w'], mm(false, false));
    await check(t, { y: matmul(x, w) });
  });

  it('MatMul batch 1, [1,7] x [7,5]', async () => {
    const t = model(51);
    const x = t.input('x', [1, 7]);
    const w = t.rconst('w', [7, 5]);
    t.m.node('y', 'MatMul', ['x', 'w'], mm(false, false));
    await check(t, { y: matmul(x, w) });
  });

  it('MatMul transpose_b: [2,7] x [5,7]^T', async () => {
    const t = model(52);
    const x = t.input('x', [2, 7]);
    const w = t.rconst('w', [5, 7]);
    t.m.node('y', 'MatMul', ['x', 'w'], mm(false, true));
    await check(t, { y: matmul(x, w, false, true) });
  });

  it('MatMul transpose_a: [7,3]^T x [7,5]', async () => {
    const t = model(53);
    const x = t.input('x', [7, 3]);
    const w = t.rconst('w', [7, 5]);
    t.m.node('y', 'MatMul', ['x', 'w'], mm(true, false));
    await check(t, { y: matmul(x, w, true, false) });
  });

  for (const [i, ops] of FUSED.entries()) {
    const N = i % 2 ? 1 : 2;
    it(`_FusedMatMul fused_ops [${ops.join(', ')}]: [${N},7] x [7,5]${i === 2 ? ' (transpose_b)' : ''}`, async () => {
      const t = model(60 + i);
      const x = t.input('x', [N, 7], -2, 2);
      const tb = i === 2;
      const w = t.rconst('w', tb ? [5, 7] : [7, 5]);
      const bias = t.rconst('b', [5]);
      const alpha = ops.includes('Prelu') ? t.rconst('alpha', [5], 0.05, 0.5) : undefined;
      t.m.node('y', '_FusedMatMul', ['x', 'w', 'b', ...(alpha ? ['alpha'] : [])], {
        ...mm(false, tb), fused_ops: A.strs(ops), num_args: A.i(alpha ? 2 : 1), epsilon: A.f(0), ...(ops.includes('LeakyRelu') ? { leakyrelu_alpha: A.f(LEAK) } : {}),
      });
      await check(t, { y: fusedEpilogue(matmul(x, w, false, tb), ops, { bias, alpha, leak: LEAK }) });
    });
  }

  it('MatMul then BiasAdd then Softmax, [2,9] x [9,7]', async () => {
    const t = model(70);
    const x = t.input('x', [2, 9], -3, 3);
    const w = t.rconst('w', [9, 7]);
    const bias = t.rconst('b', [7]);
    t.m.node('mm', 'MatMul', ['x', 'w'], mm(false, false));
    t.m.node('logits', 'BiasAdd', ['mm', 'b'], { data_format: A.s('NHWC') });
    t.m.node('probs', 'Softmax', ['logits']);
    const logits = add(matmul(x, w), bias);
    await check(t, { probs: softmax(logits), logits });
  });
});

describe('TF.js importer: elementwise ops', () => {
  const S = [2, 5, 7, 6];

  it('Sub: tensor - const [C], const [C] - tensor, tensor - tensor', async () => {
    const t = model(80);
    const x = t.input('x', S);
    const y = t.input('y', S);
    const c = t.rconst('c', [6]);
    t.m.node('a', 'Sub', ['x', 'c']);
    t.m.node('b', 'Sub', ['c', 'x']);
    t.m.node('d', 'Sub', ['x', 'y']);
    await check(t, { a: sub(x, c), b: sub(c, x), d: sub(x, y) });
  });

  it('Sub with an [N,1,1,C] tensor on either side', async () => {
    const t = model(81);
    const x = t.input('x', S);
    const g = t.input('g', [2, 1, 1, 6]);
    t.m.node('a', 'Sub', ['x', 'g']);
    t.m.node('b', 'Sub', ['g', 'x']);
    await check(t, { a: sub(x, g), b: sub(g, x) });
  });

  it('Sub: tensor - scalar const', async () => {
    const t = model(82);
    const x = t.input('x', S);
    const c = t.fconst('c', [], [0.375]);
    t.m.node('a', 'Sub', ['x', 'c']);
    await check(t, { a: sub(x, c) });
  });

  it('RealDiv: tensor / const [C], tensor / scalar, tensor / tensor, tensor / [N,1,1,C] tensor', async () => {
    const t = model(83);
    const x = t.input('x', S);
    const y = t.input('y', S, 0.5, 2);
    const g = t.input('g', [2, 1, 1, 6], 0.5, 2);
    const c = t.fconst('c', [6], [0.5, -1.5, 2, 3, -0.75, 1.25]);
    const k = t.fconst('k', [], [3]);
    t.m.node('a', 'RealDiv', ['x', 'c']);
    t.m.node('b', 'RealDiv', ['x', 'k']);
    t.m.node('d', 'RealDiv', ['x', 'y']);
    t.m.node('e', 'RealDiv', ['x', 'g']);
    await check(t, { a: div(x, c), b: div(x, k), d: div(x, y), e: div(x, g) });
  });

  it('Neg', async () => {
    const t = model(84);
    const x = t.input('x', S);
    t.m.node('a', 'Neg', ['x']);
    await check(t, { a: unary(x, ACT.Neg) });
  });

  it('Maximum / Minimum with a scalar, a [1,1,1,C] const and a tensor', async () => {
    const t = model(85);
    const x = t.input('x', S);
    const y = t.input('y', S);
    const k = t.fconst('k', [], [0.1]);
    const c = t.rconst('c', [1, 1, 1, 6], -0.5, 0.5);
    t.m.node('mx1', 'Maximum', ['x', 'k']);
    t.m.node('mx2', 'Maximum', ['x', 'y']);
    t.m.node('mn1', 'Minimum', ['x', 'c']);
    t.m.node('mn2', 'Minimum', ['y', 'x']);
    t.m.node('mx3', 'Maximum', ['c', 'x']);
    await check(t, { mx1: maximum(x, k), mx2: maximum(x, y), mn1: minimum(x, c), mn2: minimum(y, x), mx3: maximum(c, x) });
  });

  it('Relu, Relu6, Sigmoid, Tanh, Elu', async () => {
    const t = model(86);
    const x = t.input('x', S, -8, 8);
    for (const op of ['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Elu'] as const) t.m.node(op.toLowerCase(), op, ['x']);
    await check(t, Object.fromEntries((['Relu', 'Relu6', 'Sigmoid', 'Tanh', 'Elu'] as const).map((op) => [op.toLowerCase(), unary(x, ACT[op])])));
  });

  it('LeakyRelu with alpha 0.3 and with the default alpha (0.2)', async () => {
    const t = model(87);
    const x = t.input('x', S, -3, 3);
    t.m.node('a', 'LeakyRelu', ['x'], { alpha: A.f(0.3) });
    t.m.node('b', 'LeakyRelu', ['x']);
    await check(t, { a: unary(x, ACT.leaky(0.3)), b: unary(x, ACT.leaky(0.2)) });
  });

  it('Prelu with alpha [C] and alpha [1,1,C]', async () => {
    const t = model(88);
    const x = t.input('x', S, -3, 3);
    const a1 = t.rconst('a1', [6], 0, 0.5);
    const a2 = t.rconst('a2', [1, 1, 6], -0.5, 0.5);
    t.m.node('p1', 'Prelu', ['x', 'a1']);
    t.m.node('p2', 'Prelu', ['x', 'a2']);
    await check(t, { p1: prelu(x, a1), p2: prelu(x, a2) });
  });

  it('Add / AddV2 / BiasAdd / Mul with consts of shape [C], [], [H,W,C] (broadcast over batch)', async () => {
    const t = model(89);
    const x = t.input('x', S);
    const c = t.rconst('c', [6]);
    const k = t.fconst('k', [], [-1.25]);
    const full = t.rconst('full', [5, 7, 6]);
    t.m.node('a', 'Add', ['x', 'c']);
    t.m.node('b', 'AddV2', ['k', 'x']);
    t.m.node('d', 'BiasAdd', ['x', 'c'], { data_format: A.s('NHWC') });
    t.m.node('e', 'Mul', ['x', 'full']);
    t.m.node('f', 'Mul', ['k', 'x']);
    await check(t, { a: add(x, c), b: add(k, x), d: add(x, c), e: mul(x, full), f: mul(k, x) });
  });

  it('AddN of three tensors; Mul with an [N,1,1,C] gate on either side', async () => {
    const t = model(90);
    const x = t.input('x', S);
    const y = t.input('y', S);
    const z = t.input('z', S);
    const g = t.input('g', [2, 1, 1, 6]);
    t.m.node('sum', 'AddN', ['x', 'y', 'z'], { N: A.i(3) });
    t.m.node('m1', 'Mul', ['x', 'g']);
    t.m.node('m2', 'Mul', ['g', 'y']);
    await check(t, { sum: add(add(x, y), z), m1: mul(x, g), m2: mul(g, y) });
  });
});

describe('TF.js importer: Mean, pooling, Softmax', () => {
  it('Mean over [1,2] keep_dims true, batch 2, 5x7x6', async () => {
    const t = model(100);
    const x = t.input('x', [2, 5, 7, 6]);
    t.m.ints('axes', [1, 2]);
    t.m.node('y', 'Mean', ['x', 'axes'], { keep_dims: A.b(true), Tidx: A.type('DT_INT32') });
    await check(t, { y: mean(x, [1, 2], true) });
  });

  it('Mean over [1,2] keep_dims false -> [N, C], batch 2, 5x7x7', async () => {
    const t = model(101);
    const x = t.input('x', [2, 5, 7, 7]);
    t.m.ints('axes', [1, 2]);
    t.m.node('y', 'Mean', ['x', 'axes'], { keep_dims: A.b(false), Tidx: A.type('DT_INT32') });
    await check(t, { y: mean(x, [1, 2], false) });
  });

  it('Mean over [-3,-2] keep_dims false, batch 1, 5x7x3', async () => {
    const t = model(102);
    const x = t.input('x', [1, 5, 7, 3]);
    t.m.ints('axes', [-3, -2]);
    t.m.node('y', 'Mean', ['x', 'axes'], { keep_dims: A.b(false), Tidx: A.type('DT_INT32') });
    await check(t, { y: mean(x, [1, 2], false) });
  });

  for (const [kind, op] of [['avg', 'AvgPool'], ['max', 'MaxPool']] as const) {
    it(`${op} 3x3 SAME stride 2, batch 2, 5x7x5`, async () => {
      const t = model(103);
      const x = t.input('x', [2, 5, 7, 5]);
      t.m.node('y', op, ['x'], { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') });
      await check(t, { y: pool(x, kind, [3, 3], [2, 2], 'SAME') });
    });
    it(`${op} 2x2 VALID stride 2, 5x7x6`, async () => {
      const t = model(104);
      const x = t.input('x', [1, 5, 7, 6]);
      t.m.node('y', op, ['x'], { ksize: A.ints([1, 2, 2, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('VALID'), data_format: A.s('NHWC') });
      await check(t, { y: pool(x, kind, [2, 2], [2, 2], 'VALID') });
    });
  }

  for (const [kind, op] of [['avg', 'AvgPool'], ['max', 'MaxPool']] as const) {
    it(`${op} 3x3 SAME stride 2 on 6x8 (pad total 1) and 2x2 SAME stride 1 on 6x8, batch 2, 5 channels`, async () => {
      const t = model(106);
      const x = t.input('x', [2, 6, 8, 5]);
      t.m.node('a', op, ['x'], { ksize: A.ints([1, 3, 3, 1]), strides: A.ints([1, 2, 2, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') });
      t.m.node('b', op, ['x'], { ksize: A.ints([1, 2, 2, 1]), strides: A.ints([1, 1, 1, 1]), padding: A.s('SAME'), data_format: A.s('NHWC') });
      await check(t, { a: pool(x, kind, [3, 3], [2, 2], 'SAME'), b: pool(x, kind, [2, 2], [1, 1], 'SAME') });
    });
  }

  it('Softmax over channels of a [2,5,7,7] tensor', async () => {
    const t = model(105);
    const x = t.input('x', [2, 5, 7, 7], -4, 4);
    t.m.node('y', 'Softmax', ['x']);
    await check(t, { y: softmax(x) });
  });
});

describe('TF.js importer: Pad, ConcatV2, Split, SplitV, Slice', () => {
  it('Pad [[0,0],[1,2],[2,0],[0,0]], batch 2, 5x7x3', async () => {
    const t = model(110);
    const x = t.input('x', [2, 5, 7, 3]);
    t.m.ints('p', [0, 0, 1, 2, 2, 0, 0, 0], [4, 2]);
    t.m.node('y', 'Pad', ['x', 'p'], { Tpaddings: A.type('DT_INT32') });
    await check(t, { y: pad(x, [[0, 0], [1, 2], [2, 0], [0, 0]]) });
  });

  it('Pad [[0,0],[0,1],[0,1],[0,0]] then Conv2D 3x3 VALID stride 2 (the MobileNet stride-2 spelling), batch 2, 5x7x5 -> 6', async () => {
    const t = model(111);
    const x = t.input('x', [2, 5, 7, 5]);
    t.m.ints('p', [0, 0, 0, 1, 0, 1, 0, 0], [4, 2]);
    const f = t.rconst('w', [3, 3, 5, 6]);
    t.m.node('padded', 'Pad', ['x', 'p'], { Tpaddings: A.type('DT_INT32') });
    t.m.node('y', 'Conv2D', ['padded', 'w'], conv(2, 'VALID'));
    await check(t, { y: conv2d(pad(x, [[0, 0], [0, 1], [0, 1], [0, 0]]), f, [2, 2], 'VALID') });
  });

  it('PadV2 with constant_values 0, [[0,0],[2,1],[1,3],[0,0]], 5x7x6', async () => {
    const t = model(112);
    const x = t.input('x', [1, 5, 7, 6]);
    t.m.ints('p', [0, 0, 2, 1, 1, 3, 0, 0], [4, 2]);
    t.fconst('zero', [], [0]);
    t.m.node('y', 'PadV2', ['x', 'p', 'zero'], { Tpaddings: A.type('DT_INT32') });
    await check(t, { y: pad(x, [[0, 0], [2, 1], [1, 3], [0, 0]]) });
  });

  it('PadV2 then DepthwiseConv2dNative VALID stride 2, batch 2, 5x7x7', async () => {
    const t = model(113);
    const x = t.input('x', [2, 5, 7, 7]);
    t.m.ints('p', [0, 0, 1, 1, 1, 1, 0, 0], [4, 2]);
    t.fconst('zero', [], [0]);
    const f = t.rconst('w', [3, 3, 7, 1]);
    t.m.node('padded', 'PadV2', ['x', 'p', 'zero'], { Tpaddings: A.type('DT_INT32') });
    t.m.node('y', 'DepthwiseConv2dNative', ['padded', 'w'], conv(2, 'VALID'));
    await check(t, { y: depthwise(pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]), f, [2, 2], 'VALID') });
  });

  it('ConcatV2 of three inputs (3, 5, 6 channels) on axis 3, batch 2', async () => {
    const t = model(114);
    const a = t.input('a', [2, 5, 7, 3]);
    const b = t.input('b', [2, 5, 7, 5]);
    const c = t.input('c', [2, 5, 7, 6]);
    t.m.ints('axis', [3], []);
    t.m.node('y', 'ConcatV2', ['a', 'b', 'c', 'axis'], { N: A.i(3), Tidx: A.type('DT_INT32') });
    await check(t, { y: concat([a, b, c], 3) });
  });

  it('ConcatV2 on axis -1 of a conv output and the input', async () => {
    const t = model(115);
    const x = t.input('x', [1, 5, 7, 3]);
    const f = t.rconst('w', [3, 3, 3, 5]);
    t.m.node('c', 'Conv2D', ['x', 'w'], conv(1));
    t.m.ints('axis', [-1], []);
    t.m.node('y', 'ConcatV2', ['c', 'x', 'axis'], { N: A.i(2), Tidx: A.type('DT_INT32') });
    await check(t, { y: concat([conv2d(x, f, [1, 1], 'SAME'), x], 3) });
  });

  it("Split axis 3, num_split 3 on 9 channels: outputs 'split', 'split:1', 'split:2', batch 2", async () => {
    const t = model(116);
    const x = t.input('x', [2, 5, 7, 9]);
    t.m.ints('axis', [3], []);
    t.m.node('split', 'Split', ['axis', 'x'], { num_split: A.i(3) });
    const [p0, p1, p2] = split(x, 3, [3, 3, 3]);
    await check(t, { split: p0, 'split:1': p1, 'split:2': p2 });
  });

  it("Split axis -1 into 2, a conv on each half ('s' and 's:1'), ConcatV2", async () => {
    const t = model(117);
    const x = t.input('x', [1, 5, 7, 6]);
    t.m.ints('axis', [-1], []);
    t.m.node('s', 'Split', ['axis', 'x'], { num_split: A.i(2) });
    const f0 = t.rconst('w0', [3, 3, 3, 5]);
    const f1 = t.rconst('w1', [1, 1, 3, 3]);
    t.m.node('c0', 'Conv2D', ['s', 'w0'], conv(1));
    t.m.node('c1', 'Conv2D', ['s:1', 'w1'], conv(1));
    t.m.ints('caxis', [3], []);
    t.m.node('y', 'ConcatV2', ['c0', 'c1', 'caxis'], { N: A.i(2), Tidx: A.type('DT_INT32') });
    const [h0, h1] = split(x, 3, [3, 3]);
    await check(t, { y: concat([conv2d(h0, f0, [1, 1], 'SAME'), conv2d(h1, f1, [1, 1], 'SAME')], 3) });
  });

  it('SplitV size_splits [2,-1,3] on 7 channels, axis -1, batch 2', async () => {
    const t = model(118);
    const x = t.input('x', [2, 5, 7, 7]);
    t.m.ints('sizes', [2, -1, 3]);
    t.m.ints('axis', [-1], []);
    t.m.node('sv', 'SplitV', ['x', 'sizes', 'axis'], { num_split: A.i(3), Tlen: A.type('DT_INT32') });
    const [p0, p1, p2] = split(x, 3, [2, 2, 3]);
    await check(t, { sv: p0, 'sv:1': p1, 'sv:2': p2 });
  });

  it('Slice begin [0,0,0,2] size [-1,-1,-1,3] on 7 channels, batch 2', async () => {
    const t = model(119);
    const x = t.input('x', [2, 5, 7, 7]);
    t.m.ints('begin', [0, 0, 0, 2]);
    t.m.ints('size', [-1, -1, -1, 3]);
    t.m.node('y', 'Slice', ['x', 'begin', 'size'], { Index: A.type('DT_INT32') });
    await check(t, { y: slice(x, [0, 0, 0, 2], [2, 5, 7, 3]) });
  });

  it('Slice of the first 4 and of the last 2 of 6 channels (explicit sizes)', async () => {
    const t = model(120);
    const x = t.input('x', [1, 5, 7, 6]);
    t.m.ints('b0', [0, 0, 0, 0]);
    t.m.ints('s0', [1, 5, 7, 4]);
    t.m.ints('b1', [0, 0, 0, 4]);
    t.m.ints('s1', [1, 5, 7, 2]);
    t.m.node('first', 'Slice', ['x', 'b0', 's0'], { Index: A.type('DT_INT32') });
    t.m.node('last', 'Slice', ['x', 'b1', 's1'], { Index: A.type('DT_INT32') });
    await check(t, { first: slice(x, [0, 0, 0, 0], [1, 5, 7, 4]), last: slice(x, [0, 0, 0, 4], [1, 5, 7, 2]) });
  });

  it('StridedSlice x[..., 2:5] (begin_mask / end_mask on the leading axes), batch 2, 7 channels', async () => {
    const t = model(121);
    const x = t.input('x', [2, 5, 7, 7]);
    t.m.ints('begin', [0, 0, 0, 2]);
    t.m.ints('end', [0, 0, 0, 5]);
    t.m.ints('strides', [1, 1, 1, 1]);
    t.m.node('y', 'StridedSlice', ['x', 'begin', 'end', 'strides'], {
      Index: A.type('DT_INT32'), begin_mask: A.i(7), end_mask: A.i(7), ellipsis_mask: A.i(0), new_axis_mask: A.i(0), shrink_axis_mask: A.i(0),
    });
    await check(t, { y: slice(x, [0, 0, 0, 2], [2, 5, 7, 3]) });
  });
});

describe('TF.js importer: Reshape, Squeeze, ExpandDims, channel shuffle, shape arithmetic', () => {
  it('Mean keep_dims false -> Reshape [-1,1,1,C] -> Mul(x, gate), batch 2', async () => {
    const t = model(130);
    const x = t.input('x', [2, 5, 7, 6]);
    t.m.ints('axes', [1, 2]);
    t.m.node('m', 'Mean', ['x', 'axes'], { keep_dims: A.b(false), Tidx: A.type('DT_INT32') });
    t.m.ints('shape', [-1, 1, 1, 6]);
    t.m.node('g', 'Reshape', ['m', 'shape'], { Tshape: A.type('DT_INT32') });
    t.m.node('y', 'Mul', ['x', 'g']);
    await check(t, { y: mul(x, reshape(mean(x, [1, 2], false), [2, 1, 1, 6])) });
  });

  it('Mean keep_dims true -> Squeeze squeeze_dims [1,2] -> MatMul, batch 2', async () => {
    const t = model(131);
    const x = t.input('x', [2, 5, 7, 6]);
    t.m.ints('axes', [1, 2]);
    t.m.node('m', 'Mean', ['x', 'axes'], { keep_dims: A.b(true), Tidx: A.type('DT_INT32') });
    t.m.node('sq', 'Squeeze', ['m'], { squeeze_dims: A.ints([1, 2]) });
    const w = t.rconst('w', [6, 5]);
    t.m.node('y', 'MatMul', ['sq', 'w'], { transpose_a: A.b(false), transpose_b: A.b(false) });
    await check(t, { y: matmul(mean(x, [1, 2], false), w) });
  });

  it('Squeeze of a [2,1,1,6] input (squeeze_dims [1,2]) -> [2,6]', async () => {
    const t = model(132);
    const x = t.input('x', [2, 1, 1, 6]);
    t.m.node('y', 'Squeeze', ['x'], { squeeze_dims: A.ints([1, 2]) });
    await check(t, { y: reshape(x, [2, 6]) });
  });

  it('ExpandDims twice: [2,6] -> [2,1,6] -> [2,1,1,6], gating a [2,5,7,6] tensor', async () => {
    const t = model(133);
    const x = t.input('x', [2, 5, 7, 6]);
    const v = t.input('v', [2, 6]);
    t.m.ints('a1', [1], []);
    t.m.ints('a2', [-2], []);
    t.m.node('e1', 'ExpandDims', ['v', 'a1'], { Tdim: A.type('DT_INT32') });
    t.m.node('e2', 'ExpandDims', ['e1', 'a2'], { Tdim: A.type('DT_INT32') });
    t.m.node('y', 'Mul', ['x', 'e2']);
    await check(t, { y: mul(x, reshape(v, [2, 1, 1, 6])), e2: reshape(v, [2, 1, 1, 6]) });
  });

  it('Reshape (flatten) [2,3,3,4] -> [2,36] -> MatMul [36,5]', async () => {
    const t = model(134);
    const x = t.input('x', [2, 3, 3, 4]);
    t.m.ints('shape', [2, 36]);
    t.m.node('flat', 'Reshape', ['x', 'shape'], { Tshape: A.type('DT_INT32') });
    const w = t.rconst('w', [36, 5]);
    t.m.node('y', 'MatMul', ['flat', 'w'], { transpose_a: A.b(false), transpose_b: A.b(false) });
    await check(t, { y: matmul(reshape(x, [2, 36]), w) });
  });

  it('channel shuffle, 2 groups of 3: Reshape [2,5,7,2,3] -> Transpose [0,1,2,4,3] -> Reshape [2,5,7,6]', async () => {
    const t = model(135);
    const x = t.input('x', [2, 5, 7, 6]);
    t.m.ints('s5', [2, 5, 7, 2, 3]);
    t.m.ints('perm', [0, 1, 2, 4, 3]);
    t.m.ints('s4', [2, 5, 7, 6]);
    t.m.node('r', 'Reshape', ['x', 's5'], { Tshape: A.type('DT_INT32') });
    t.m.node('tr', 'Transpose', ['r', 'perm'], { Tperm: A.type('DT_INT32') });
    t.m.node('y', 'Reshape', ['tr', 's4'], { Tshape: A.type('DT_INT32') });
    await check(t, { y: reshape(transpose(reshape(x, [2, 5, 7, 2, 3]), [0, 1, 2, 4, 3]), [2, 5, 7, 6]) });
  });

  it('channel shuffle, 3 groups of 3 between a 1x1 conv and a depthwise conv (shapes with -1)', async () => {
    const t = model(136);
    const x = t.input('x', [1, 5, 7, 5]);
    const f = t.rconst('w', [1, 1, 5, 9]);
    const dw = t.rconst('dw', [3, 3, 9, 1]);
    t.m.node('c', 'Conv2D', ['x', 'w'], conv(1));
    t.m.ints('s5', [-1, 5, 7, 3, 3]);
    t.m.ints('perm', [0, 1, 2, 4, 3]);
    t.m.ints('s4', [-1, 5, 7, 9]);
    t.m.node('r', 'Reshape', ['c', 's5'], { Tshape: A.type('DT_INT32') });
    t.m.node('tr', 'Transpose', ['r', 'perm'], { Tperm: A.type('DT_INT32') });
    t.m.node('sh', 'Reshape', ['tr', 's4'], { Tshape: A.type('DT_INT32') });
    t.m.node('y', 'DepthwiseConv2dNative', ['sh', 'dw'], conv(2));
    const shuffled = reshape(transpose(reshape(conv2d(x, f, [1, 1], 'SAME'), [1, 5, 7, 3, 3]), [0, 1, 2, 4, 3]), [1, 5, 7, 9]);
    await check(t, { y: depthwise(shuffled, dw, [2, 2], 'SAME') });
  });

  it('ShuffleNetV2 unit: Split in 2, branch convs on half 2, ConcatV2, shuffle with 2 groups, batch 2, 10 channels', async () => {
    const t = model(137);
    const x = t.input('x', [2, 5, 7, 10]);
    t.m.ints('axis', [3], []);
    t.m.node('s', 'Split', ['axis', 'x'], { num_split: A.i(2) });
    const f1 = t.rconst('w1', [1, 1, 5, 5]);
    const b1 = t.rconst('b1', [5]);
    const dw = t.rconst('dw', [3, 3, 5, 1]);
    const b2 = t.rconst('b2', [5]);
    const f3 = t.rconst('w3', [1, 1, 5, 5]);
    const b3 = t.rconst('b3', [5]);
    t.m.node('pw1', '_FusedConv2D', ['s:1', 'w1', 'b1'], { ...conv(1), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), epsilon: A.f(0) });
    t.m.node('dwc', 'FusedDepthwiseConv2dNative', ['pw1', 'dw', 'b2'], { ...conv(1), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1) });
    t.m.node('pw2', '_FusedConv2D', ['dwc', 'w3', 'b3'], { ...conv(1), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), epsilon: A.f(0) });
    t.m.node('cat', 'ConcatV2', ['s', 'pw2', 'axis'], { N: A.i(2), Tidx: A.type('DT_INT32') });
    t.m.ints('s5', [2, 5, 7, 2, 5]);
    t.m.ints('perm', [0, 1, 2, 4, 3]);
    t.m.ints('s4', [2, 5, 7, 10]);
    t.m.node('r', 'Reshape', ['cat', 's5'], { Tshape: A.type('DT_INT32') });
    t.m.node('tr', 'Transpose', ['r', 'perm'], { Tperm: A.type('DT_INT32') });
    t.m.node('y', 'Reshape', ['tr', 's4'], { Tshape: A.type('DT_INT32') });
    const [h0, h1] = split(x, 3, [5, 5]);
    let br = fusedEpilogue(conv2d(h1, f1, [1, 1], 'SAME'), ['BiasAdd', 'Relu'], { bias: b1 });
    br = fusedEpilogue(depthwise(br, dw, [1, 1], 'SAME'), ['BiasAdd'], { bias: b2 });
    br = fusedEpilogue(conv2d(br, f3, [1, 1], 'SAME'), ['BiasAdd', 'Relu'], { bias: b3 });
    const cat = concat([h0, br], 3);
    await check(t, { y: reshape(transpose(reshape(cat, [2, 5, 7, 2, 5]), [0, 1, 2, 4, 3]), [2, 5, 7, 10]) });
  });

  it('channel shuffle with shapes computed by Shape / StridedSlice (shrink, begin/end masks) / Pack / Cast / FloorDiv / FloorMod / Sub / RealDiv', async () => {
    // x: [2,5,7,9]; groups g = FloorMod(0 - C, 4) = 3 (floor semantics: -9 mod 4 = 3, not -1);
    // C/g = Cast<int32>(Cast<float>(C) / 3.0); the batch dim is FloorDiv(0 - C, N + 8) = -1 (trunc would give 0).
    const t = model(138);
    const x = t.input('x', [2, 5, 7, 9]);
    const m = t.m;
    const ss = (name: string, input: string, b: number[], e: number[], st: number[], masks: { begin?: number; end?: number; shrink?: number }) => {
      m.ints(`${name}/begin`, b);
      m.ints(`${name}/end`, e);
      m.ints(`${name}/strides`, st);
      m.node(name, 'StridedSlice', [input, `${name}/begin`, `${name}/end`, `${name}/strides`], {
        T: A.type('DT_INT32'), Index: A.type('DT_INT32'), begin_mask: A.i(masks.begin ?? 0), end_mask: A.i(masks.end ?? 0),
        ellipsis_mask: A.i(0), new_axis_mask: A.i(0), shrink_axis_mask: A.i(masks.shrink ?? 0),
      });
    };
    m.node('shape', 'Shape', ['x'], { out_type: A.type('DT_INT32') });
    ss('nh', 'shape', [5], [2], [1], { begin: 1 }); // [2, 5] (begin masked: the 5 is ignored)
    ss('n', 'nh', [0], [1], [1], { shrink: 1 }); // 2
    ss('h', 'nh', [1], [2], [1], { shrink: 1 }); // 5
    ss('w', 'shape', [-2], [-1], [1], { shrink: 1 }); // 7
    ss('clast', 'shape', [3], [0], [1], { end: 1 }); // [9] (end masked)
    ss('c', 'clast', [0], [1], [1], { shrink: 1 }); // 9
    m.ints('zero', [0], []);
    m.node('negc', 'Sub', ['zero', 'c'], { T: A.type('DT_INT32') }); // -9
    m.ints('four', [4], []);
    m.node('g', 'FloorMod', ['negc', 'four'], { T: A.type('DT_INT32') }); // 3
    m.ints('eight', [8], []);
    m.node('ten', 'AddV2', ['n', 'eight'], { T: A.type('DT_INT32') }); // 10
    m.node('batch', 'FloorDiv', ['negc', 'ten'], { T: A.type('DT_INT32') }); // -1
    m.node('cf', 'Cast', ['c'], { SrcT: A.type('DT_INT32'), DstT: A.type('DT_FLOAT'), Truncate: A.b(false) });
    t.fconst('three', [], [3]);
    m.node('cpgf', 'RealDiv', ['cf', 'three']);
    m.node('cpg', 'Cast', ['cpgf'], { SrcT: A.type('DT_FLOAT'), DstT: A.type('DT_INT32'), Truncate: A.b(false) }); // 3
    m.node('s5', 'Pack', ['batch', 'h', 'w', 'g', 'cpg'], { T: A.type('DT_INT32'), N: A.i(5), axis: A.i(0) });
    m.node('r', 'Reshape', ['x', 's5'], { Tshape: A.type('DT_INT32') });
    m.ints('perm', [0, 1, 2, 4, 3]);
    m.node('tr', 'Transpose', ['r', 'perm'], { Tperm: A.type('DT_INT32') });
    m.node('y', 'Reshape', ['tr', 'shape'], { Tshape: A.type('DT_INT32') });
    await check(t, { y: reshape(transpose(reshape(x, [2, 5, 7, 3, 3]), [0, 1, 2, 4, 3]), [2, 5, 7, 9]) });
  });

  it('Reshape target from Pack with axis 1 / Transpose / Reshape / ConcatV2 of constants: [[h,g],[w,c/g]] -> [n,h,w,g,c/g]', async () => {
    const t = model(139);
    const x = t.input('x', [1, 5, 7, 6]);
    const m = t.m;
    m.ints('hw', [5, 7]);
    m.ints('gc', [2, 3]);
    m.node('packed', 'Pack', ['hw', 'gc'], { T: A.type('DT_INT32'), N: A.i(2), axis: A.i(1) }); // [[5,2],[7,3]]
    m.ints('p10', [1, 0]);
    m.node('pt', 'Transpose', ['packed', 'p10'], { T: A.type('DT_INT32'), Tperm: A.type('DT_INT32') }); // [[5,7],[2,3]]
    m.ints('minus1', [-1]);
    m.node('flat', 'Reshape', ['pt', 'minus1'], { T: A.type('DT_INT32'), Tshape: A.type('DT_INT32') }); // [5,7,2,3]
    m.ints('n', [1]);
    m.ints('axis0', [0], []);
    m.node('s5', 'ConcatV2', ['n', 'flat', 'axis0'], { T: A.type('DT_INT32'), N: A.i(2), Tidx: A.type('DT_INT32') });
    m.node('r', 'Reshape', ['x', 's5'], { Tshape: A.type('DT_INT32') });
    m.ints('perm', [0, 1, 2, 4, 3]);
    m.node('tr', 'Transpose', ['r', 'perm'], { Tperm: A.type('DT_INT32') });
    m.ints('s4', [1, 5, 7, 6]);
    m.node('y', 'Reshape', ['tr', 's4'], { Tshape: A.type('DT_INT32') });
    await check(t, { y: reshape(transpose(reshape(x, [1, 5, 7, 2, 3]), [0, 1, 2, 4, 3]), [1, 5, 7, 6]) });
  });

  it('Transpose that only moves size-1 axes: [2,1,1,6] perm [0,2,1,3], then gating', async () => {
    const t = model(141);
    const x = t.input('x', [2, 5, 7, 6]);
    const g = t.input('g', [2, 1, 1, 6]);
    t.m.ints('perm', [0, 2, 1, 3]);
    t.m.node('gt', 'Transpose', ['g', 'perm'], { Tperm: A.type('DT_INT32') });
    t.m.node('y', 'Mul', ['x', 'gt']);
    await check(t, { y: mul(x, g) });
  });

  it('Reshape [1,5,7,6] -> [1,35,6] -> Softmax -> Reshape back (segmentation head spelling)', async () => {
    const t = model(142);
    const x = t.input('x', [1, 5, 7, 6], -3, 3);
    t.m.ints('s3', [1, 35, 6]);
    t.m.ints('s4', [1, 5, 7, 6]);
    t.m.node('r', 'Reshape', ['x', 's3'], { Tshape: A.type('DT_INT32') });
    t.m.node('sm', 'Softmax', ['r']);
    t.m.node('y', 'Reshape', ['sm', 's4'], { Tshape: A.type('DT_INT32') });
    await check(t, { y: softmax(x) });
  });

  it('Mean keep_dims false -> Relu6 / Mul by const on the [N, C] result, batch 2', async () => {
    const t = model(143);
    const x = t.input('x', [2, 5, 7, 7], -2, 6);
    const k = t.rconst('k', [7], 0.5, 2);
    t.m.ints('axes', [1, 2]);
    t.m.node('m', 'Mean', ['x', 'axes'], { keep_dims: A.b(false), Tidx: A.type('DT_INT32') });
    t.m.node('sc', 'Mul', ['m', 'k']);
    t.m.node('y', 'Relu6', ['sc']);
    const sc = mul(mean(x, [1, 2], false), k);
    await check(t, { y: unary(sc, ACT.Relu6), sc });
  });

  it('Cast DT_FLOAT of a float activation is the identity', async () => {
    const t = model(144);
    const x = t.input('x', [1, 5, 7, 3]);
    t.m.node('c', 'Cast', ['x'], { SrcT: A.type('DT_FLOAT'), DstT: A.type('DT_FLOAT'), Truncate: A.b(false) });
    t.m.node('y', 'Relu', ['c']);
    await check(t, { y: unary(x, ACT.Relu) });
  });

  it('ResizeBilinear (half_pixel) to the size of a skip tensor, from Shape / StridedSlice [1:3], then AddV2 (decoder spelling), batch 2', async () => {
    const t = model(145);
    const x = t.input('x', [2, 3, 4, 5]);
    const skip = t.input('skip', [2, 5, 7, 5]);
    t.m.node('shape', 'Shape', ['skip'], { out_type: A.type('DT_INT32') });
    t.m.ints('b', [1]);
    t.m.ints('e', [3]);
    t.m.ints('st', [1]);
    t.m.node('hw', 'StridedSlice', ['shape', 'b', 'e', 'st'], {
      T: A.type('DT_INT32'), Index: A.type('DT_INT32'), begin_mask: A.i(0), end_mask: A.i(0), ellipsis_mask: A.i(0), new_axis_mask: A.i(0), shrink_axis_mask: A.i(0),
    });
    t.m.node('up', 'ResizeBilinear', ['x', 'hw'], { align_corners: A.b(false), half_pixel_centers: A.b(true) });
    t.m.node('y', 'AddV2', ['up', 'skip']);
    await check(t, { y: add(resizeBilinear(x, 5, 7, 'half_pixel'), skip) });
  });

  it('Identity passes values through (and a requested Identity output keeps its name)', async () => {
    const t = model(140);
    const x = t.input('x', [1, 5, 7, 3]);
    t.m.node('r', 'Relu', ['x']);
    t.m.node('out', 'Identity', ['r']);
    await check(t, { out: unary(x, ACT.Relu) });
  });
});

describe('TF.js importer: ResizeBilinear / ResizeNearestNeighbor', () => {
  const MODES: [ResizeMode, Record<string, unknown>][] = [
    ['legacy', { align_corners: A.b(false), half_pixel_centers: A.b(false) }],
    ['align_corners', { align_corners: A.b(true), half_pixel_centers: A.b(false) }],
    ['half_pixel', { align_corners: A.b(false), half_pixel_centers: A.b(true) }],
  ];
  const SIZES: [number, number][] = [[9, 12], [3, 4], [10, 14], [1, 4]];
  for (const op of ['ResizeBilinear', 'ResizeNearestNeighbor'] as const) {
    for (const [mode, attr] of MODES) {
      for (const [oh, ow] of SIZES) {
        it(`${op} ${mode}: batch 2, 5x7x3 -> ${oh}x${ow}`, async () => {
          const t = model(150 + oh * 16 + ow);
          const x = t.input('x', [2, 5, 7, 3]);
          t.m.ints('size', [oh, ow]);
          t.m.node('y', op, ['x', 'size'], attr);
          await check(t, { y: op === 'ResizeBilinear' ? resizeBilinear(x, oh, ow, mode) : resizeNearest(x, oh, ow, mode) });
        });
      }
    }
  }
});

describe('TF.js importer: h-swish, hard-sigmoid and SE blocks (values, and fused into the conv / FC kernels)', () => {
  /**
   * Writes the TF spelling of hswish(x) as node `out` (`order` swaps the outer Mul's operands);
   * `half`: the constants stored float16 (1/6 becomes 0.16662598). Returns the 1/6 the model holds.
   */
  const hswish = (t: ReturnType<typeof model>, x: string, out: string, order: 'div-first' | 'relu6-first' = 'div-first', half = false): number => {
    (half ? t.hconst : t.fconst)(`${out}/three`, [], [3]);
    const sixth = (half ? t.hconst : t.fconst)(`${out}/sixth`, [], [1 / 6]).data[0];
    t.m.node(`${out}/add`, 'AddV2', [x, `${out}/three`]);
    t.m.node(`${out}/relu6`, 'Relu6', [`${out}/add`]);
    t.m.node(`${out}/div`, 'Mul', [x, `${out}/sixth`]);
    t.m.node(out, 'Mul', order === 'div-first' ? [`${out}/div`, `${out}/relu6`] : [`${out}/relu6`, `${out}/div`]);
    return sixth;
  };
  const hsigmoid = (t: ReturnType<typeof model>, x: string, out: string, half = false): number => {
    (half ? t.hconst : t.fconst)(`${out}/three`, [], [3]);
    const sixth = (half ? t.hconst : t.fconst)(`${out}/sixth`, [], [1 / 6]).data[0];
    t.m.node(`${out}/add`, 'AddV2', [x, `${out}/three`]);
    t.m.node(`${out}/relu6`, 'Relu6', [`${out}/add`]);
    t.m.node(out, 'Mul', [`${out}/relu6`, `${out}/sixth`]);
    return sixth;
  };
  /** TF's value of the spelled-out h-swish / h-sigmoid with the constant 1/6 the model holds. */
  const hswishWith = (c: number) => (v: number) => v * c * Math.min(Math.max(v + 3, 0), 6);
  const hsigmoidWith = (c: number) => (v: number) => Math.min(Math.max(v + 3, 0), 6) * c;
  const ELEMENTWISE = ['Mul', 'Add', 'Sub', 'Div', 'Max', 'Min', 'Activation', 'Prelu'];
  const expectOnly = (s: Session, ops: string[]) => {
    const steps = s.plan.steps.map((st) => `${st.op}:${st.kernel}`);
    expect(s.plan.steps.length, steps.join(' ')).toBeGreaterThan(0);
    for (const st of s.plan.steps) {
      expect(ops, `plan step ${st.op} (${st.kernel}) of node '${st.node}'; plan: ${steps.join(' ')}`).toContain(st.op);
      expect(ELEMENTWISE, steps.join(' ')).not.toContain(st.op);
    }
  };

  for (const order of ['div-first', 'relu6-first'] as const) {
    it(`h-swish Mul(Mul(x, 1/6), Relu6(AddV2(x, 3))) (${order}) after _FusedConv2D [BiasAdd], batch 2, 5x7x5 -> 7: only the conv runs`, async () => {
      const t = model(170);
      const x = t.input('x', [2, 5, 7, 5], -2, 2);
      const f = t.rconst('w', [3, 3, 5, 7]);
      const bias = t.rconst('b', [7], -2, 2);
      t.m.node('conv', '_FusedConv2D', ['x', 'w', 'b'], { ...conv(2), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1), epsilon: A.f(0) });
      hswish(t, 'conv', 'y', order);
      const s = await check(t, { y: unary(fusedEpilogue(conv2d(x, f, [2, 2], 'SAME'), ['BiasAdd'], { bias }), ACT.hswish) });
      expectOnly(s, ['Conv2D']);
    });
  }

  it('h-swish after a plain Conv2D (no bias) and after FusedDepthwiseConv2dNative [BiasAdd]: only the convs run', async () => {
    const t = model(171);
    const x = t.input('x', [1, 5, 7, 6], -2, 2);
    const f = t.rconst('w', [1, 1, 6, 9], -1.5, 1.5);
    const dw = t.rconst('dw', [3, 3, 9, 1]);
    const b = t.rconst('b', [9]);
    t.m.node('pw', 'Conv2D', ['x', 'w'], conv(1));
    hswish(t, 'pw', 'hs1');
    t.m.node('dwc', 'FusedDepthwiseConv2dNative', ['hs1', 'dw', 'b'], { ...conv(2), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1) });
    hswish(t, 'dwc', 'y');
    const a = unary(conv2d(x, f, [1, 1], 'SAME'), ACT.hswish);
    const s = await check(t, { y: unary(add(depthwise(a, dw, [2, 2], 'SAME'), b), ACT.hswish) });
    expectOnly(s, ['Conv2D', 'DepthwiseConv2D']);
  });

  it('h-swish after _FusedMatMul [BiasAdd], [2,7] x [7,5]: only the FC runs', async () => {
    const t = model(172);
    const x = t.input('x', [2, 7], -2, 2);
    const w = t.rconst('w', [7, 5], -1.5, 1.5);
    const bias = t.rconst('b', [5]);
    t.m.node('fc', '_FusedMatMul', ['x', 'w', 'b'], { transpose_a: A.b(false), transpose_b: A.b(false), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1), epsilon: A.f(0) });
    hswish(t, 'fc', 'y');
    const s = await check(t, { y: unary(add(matmul(x, w), bias), ACT.hswish) });
    expectOnly(s, ['FullyConnected']);
  });

  it('hard-sigmoid Mul(Relu6(AddV2(x, 3)), 1/6) after _FusedConv2D [BiasAdd], batch 2, 5x7x3 -> 6: only the conv runs', async () => {
    const t = model(173);
    const x = t.input('x', [2, 5, 7, 3], -2, 2);
    const f = t.rconst('w', [3, 3, 3, 6], -1.5, 1.5);
    const bias = t.rconst('b', [6], -2, 2);
    t.m.node('conv', '_FusedConv2D', ['x', 'w', 'b'], { ...conv(1), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1), epsilon: A.f(0) });
    hsigmoid(t, 'conv', 'y');
    const s = await check(t, { y: unary(fusedEpilogue(conv2d(x, f, [1, 1], 'SAME'), ['BiasAdd'], { bias }), ACT.hsigmoid) });
    expectOnly(s, ['Conv2D']);
  });

  it('float16 model: h-swish with 1/6 stored as float16 (0.16662598) between two convs: TF values, only the convs run', async () => {
    const t = model(176);
    const x = t.input('x', [2, 5, 7, 5], -3, 3);
    const f1 = t.rconst('w1', [3, 3, 5, 7], -1, 1);
    const b1 = t.rconst('b1', [7], -2, 2);
    const f2 = t.rconst('w2', [1, 1, 7, 6]);
    t.m.node('conv1', '_FusedConv2D', ['x', 'w1', 'b1'], { ...conv(2), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1), epsilon: A.f(0) });
    const c = hswish(t, 'conv1', 'hs', 'div-first', true);
    expect(c).toBeCloseTo(0.16662598, 8);
    t.m.node('y', 'Conv2D', ['hs', 'w2'], conv(1));
    const a = unary(fusedEpilogue(conv2d(x, f1, [2, 2], 'SAME'), ['BiasAdd'], { bias: b1 }), hswishWith(c));
    const s = await check(t, { y: conv2d(a, f2, [1, 1], 'SAME') });
    expectOnly(s, ['Conv2D']);
  });

  it('float16 model: h-swish with a float16 1/6 as the graph output (nothing to fold the correction into): TF values', async () => {
    const t = model(177);
    const x = t.input('x', [1, 5, 7, 6], -3, 3);
    const f = t.rconst('w', [3, 3, 6, 5], -1, 1);
    t.m.node('conv', 'Conv2D', ['x', 'w'], conv(1));
    const c = hswish(t, 'conv', 'y', 'relu6-first', true);
    await check(t, { y: unary(conv2d(x, f, [1, 1], 'SAME'), hswishWith(c)) });
  });

  it('h-swish in the Keras MobileNetV3 spelling Mul(x, Mul(Relu6(AddV2(x, 3)), 1/6)) after a conv, batch 2: values', async () => {
    const t = model(181);
    const x = t.input('x', [2, 5, 7, 3], -2, 2);
    const f = t.rconst('w', [3, 3, 3, 6], -1.5, 1.5);
    t.m.node('conv', 'Conv2D', ['x', 'w'], conv(2));
    hsigmoid(t, 'conv', 'hsig');
    t.m.node('y', 'Mul', ['conv', 'hsig']);
    await check(t, { y: unary(conv2d(x, f, [2, 2], 'SAME'), ACT.hswish) });
  });

  it('h-swish on a conv whose output is also requested: both outputs right', async () => {
    const t = model(178);
    const x = t.input('x', [2, 5, 7, 3], -2, 2);
    const f = t.rconst('w', [3, 3, 3, 6], -1.5, 1.5);
    const b = t.rconst('b', [6]);
    t.m.node('conv', '_FusedConv2D', ['x', 'w', 'b'], { ...conv(1), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1), epsilon: A.f(0) });
    hswish(t, 'conv', 'y');
    const c = fusedEpilogue(conv2d(x, f, [1, 1], 'SAME'), ['BiasAdd'], { bias: b });
    await check(t, { y: unary(c, ACT.hswish), conv: c });
  });

  it('h-swish whose input also feeds a residual Add: values right', async () => {
    const t = model(179);
    const x = t.input('x', [1, 5, 7, 6], -2, 2);
    const f = t.rconst('w', [1, 1, 6, 6], -1.5, 1.5);
    t.m.node('conv', 'Conv2D', ['x', 'w'], conv(1));
    hswish(t, 'conv', 'hs');
    t.m.node('y', 'AddV2', ['hs', 'conv']);
    const c = conv2d(x, f, [1, 1], 'SAME');
    await check(t, { y: add(unary(c, ACT.hswish), c) });
  });

  it('SE block: Mean(keep_dims=false) -> MatMul -> BiasAdd -> Relu -> MatMul -> BiasAdd -> hard-sigmoid -> Reshape [N,1,1,C] -> Mul(x, gate), batch 2, 7 channels', async () => {
    const t = model(174);
    const x0 = t.input('x', [2, 5, 7, 5], -2, 2);
    const f = t.rconst('w', [3, 3, 5, 7], -1, 1);
    const b0 = t.rconst('b', [7]);
    const w1 = t.rconst('se/w1', [7, 3], -1.5, 1.5);
    const b1 = t.rconst('se/b1', [3]);
    const w2 = t.rconst('se/w2', [3, 7], -1.5, 1.5);
    const b2 = t.rconst('se/b2', [7], -1, 1);
    const m = t.m;
    m.node('conv', '_FusedConv2D', ['x', 'w', 'b'], { ...conv(2), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), epsilon: A.f(0) });
    m.ints('se/axes', [1, 2]);
    m.node('se/mean', 'Mean', ['conv', 'se/axes'], { keep_dims: A.b(false), Tidx: A.type('DT_INT32') });
    m.node('se/fc1', 'MatMul', ['se/mean', 'se/w1'], { transpose_a: A.b(false), transpose_b: A.b(false) });
    m.node('se/bias1', 'BiasAdd', ['se/fc1', 'se/b1'], { data_format: A.s('NHWC') });
    m.node('se/relu', 'Relu', ['se/bias1']);
    m.node('se/fc2', 'MatMul', ['se/relu', 'se/w2'], { transpose_a: A.b(false), transpose_b: A.b(false) });
    m.node('se/bias2', 'BiasAdd', ['se/fc2', 'se/b2'], { data_format: A.s('NHWC') });
    hsigmoid(t, 'se/bias2', 'se/hsig');
    m.ints('se/shape', [-1, 1, 1, 7]);
    m.node('se/gate', 'Reshape', ['se/hsig', 'se/shape'], { Tshape: A.type('DT_INT32') });
    m.node('y', 'Mul', ['conv', 'se/gate']);
    const c = fusedEpilogue(conv2d(x0, f, [2, 2], 'SAME'), ['BiasAdd', 'Relu'], { bias: b0 });
    const h = unary(add(matmul(mean(c, [1, 2], false), w1), b1), ACT.Relu);
    const gate = unary(add(matmul(h, w2), b2), ACT.hsigmoid);
    const s = await check(t, { y: mul(c, reshape(gate, [2, 1, 1, 7])) });
    // the hard-sigmoid is fused into the second FC: no Activation / Add steps, and Mul steps only for the gating
    const steps = s.plan.steps.map((st) => `${st.node}:${st.op}:${st.kernel}`).join(' ');
    for (const st of s.plan.steps) {
      expect(['Conv2D', 'GlobalAvgPool', 'FullyConnected', 'Mul', 'Reshape', 'Flatten'], steps).toContain(st.op);
      if (st.op === 'Mul') expect(st.node, steps).toBe('y');
    }
    expect(s.plan.steps.filter((st) => st.op === 'FullyConnected').length, steps).toBe(2);
  });

  it('float16 model: SE gate with a float16 1/6 hard-sigmoid, gated tensor into a 1x1 conv, batch 2: TF values, no h-sigmoid steps', async () => {
    const t = model(180);
    const x = t.input('x', [2, 5, 7, 6], -2, 2);
    const w1 = t.rconst('w1', [6, 3], -1.5, 1.5);
    const b1 = t.rconst('b1', [3]);
    const w2 = t.rconst('w2', [3, 6], -1.5, 1.5);
    const b2 = t.rconst('b2', [6]);
    const f = t.rconst('wc', [1, 1, 6, 5]);
    const m = t.m;
    m.ints('axes', [1, 2]);
    m.node('mean', 'Mean', ['x', 'axes'], { keep_dims: A.b(false), Tidx: A.type('DT_INT32') });
    m.node('fc1', '_FusedMatMul', ['mean', 'w1', 'b1'], { transpose_a: A.b(false), transpose_b: A.b(false), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), epsilon: A.f(0) });
    m.node('fc2', '_FusedMatMul', ['fc1', 'w2', 'b2'], { transpose_a: A.b(false), transpose_b: A.b(false), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1), epsilon: A.f(0) });
    const c = hsigmoid(t, 'fc2', 'hsig', true);
    m.ints('shape', [-1, 1, 1, 6]);
    m.node('gate', 'Reshape', ['hsig', 'shape'], { Tshape: A.type('DT_INT32') });
    m.node('gated', 'Mul', ['gate', 'x']);
    m.node('y', 'Conv2D', ['gated', 'wc'], conv(1));
    const h = unary(add(matmul(mean(x, [1, 2], false), w1), b1), ACT.Relu);
    const gate = unary(add(matmul(h, w2), b2), hsigmoidWith(c));
    const s = await check(t, { y: conv2d(mul(x, reshape(gate, [2, 1, 1, 6])), f, [1, 1], 'SAME') });
    const steps = s.plan.steps.map((st) => `${st.node}:${st.op}:${st.kernel}`).join(' ');
    for (const st of s.plan.steps) {
      expect(['Conv2D', 'GlobalAvgPool', 'FullyConnected', 'Mul', 'Reshape', 'Flatten'], steps).toContain(st.op);
      if (st.op === 'Mul') expect(st.node, steps).toBe('gated');
    }
  });

  it('SE block with the gate written as ExpandDims x2 and h-swish on the gated tensor, batch 1', async () => {
    const t = model(175);
    const x = t.input('x', [1, 5, 7, 6], -3, 3);
    const w1 = t.rconst('w1', [6, 2], -1.5, 1.5);
    const b1 = t.rconst('b1', [2]);
    const w2 = t.rconst('w2', [2, 6], -1.5, 1.5);
    const b2 = t.rconst('b2', [6]);
    const m = t.m;
    m.ints('axes', [1, 2]);
    m.node('mean', 'Mean', ['x', 'axes'], { keep_dims: A.b(false), Tidx: A.type('DT_INT32') });
    m.node('fc1', '_FusedMatMul', ['mean', 'w1', 'b1'], { transpose_a: A.b(false), transpose_b: A.b(false), fused_ops: A.strs(['BiasAdd', 'Relu']), num_args: A.i(1), epsilon: A.f(0) });
    m.node('fc2', '_FusedMatMul', ['fc1', 'w2', 'b2'], { transpose_a: A.b(false), transpose_b: A.b(false), fused_ops: A.strs(['BiasAdd']), num_args: A.i(1), epsilon: A.f(0) });
    hsigmoid(t, 'fc2', 'hsig');
    m.ints('ax1', [1], []);
    m.node('e1', 'ExpandDims', ['hsig', 'ax1'], { Tdim: A.type('DT_INT32') });
    m.node('e2', 'ExpandDims', ['e1', 'ax1'], { Tdim: A.type('DT_INT32') });
    m.node('gated', 'Mul', ['x', 'e2']);
    hswish(t, 'gated', 'y');
    const h = unary(add(matmul(mean(x, [1, 2], false), w1), b1), ACT.Relu);
    const gate = unary(add(matmul(h, w2), b2), ACT.hsigmoid);
    await check(t, { y: unary(mul(x, reshape(gate, [1, 1, 1, 6])), ACT.hswish) });
  });
});

describe('TF.js importer: errors', () => {
  const build = (f: (t: ReturnType<typeof model>) => void) => {
    const t = model(200);
    f(t);
    const { modelJson, weights } = t.m.build();
    return (outputs: string[]) => importTfjsGraphModel(modelJson as unknown as TfjsModelJson, weights, { outputs });
  };
  const thrown = (fn: () => unknown): Error => {
    try {
      fn();
    } catch (e) {
      return e as Error;
    }
    throw new Error('expected an error');
  };

  it("an unsupported op (Cumsum) in the requested subgraph: UnsupportedOpError naming the op, the node and the supported ops", () => {
    const imp = build((t) => {
      t.input('x', [1, 5, 7, 3]);
      t.m.ints('axis', [3], []);
      t.m.node('block/cumsum', 'Cumsum', ['x', 'axis'], { exclusive: A.b(false), reverse: A.b(false), Tidx: A.type('DT_INT32') });
      t.m.node('y', 'Relu', ['block/cumsum']);
    });
    const e = thrown(() => imp(['y']));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toContain('Cumsum');
    expect(e.message).toContain('block/cumsum');
    expect(e.message).toContain('supported');
  });

  it('the same op outside the requested outputs is never looked at', async () => {
    const t = model(201);
    const x = t.input('x', [1, 5, 7, 3]);
    t.m.ints('axis', [3], []);
    t.m.node('block/cumsum', 'Cumsum', ['x', 'axis'], { exclusive: A.b(false), reverse: A.b(false), Tidx: A.type('DT_INT32') });
    t.m.node('other', 'Relu', ['block/cumsum']);
    t.m.node('y', 'Relu6', ['x']);
    await check(t, { y: unary(x, ACT.Relu6) });
  });

  it('Transpose with perm [0,3,1,2] on a 4-D activation: UnsupportedOpError naming the perm', () => {
    const imp = build((t) => {
      t.input('x', [1, 5, 7, 6]);
      t.m.ints('perm', [0, 3, 1, 2]);
      t.m.node('nchw', 'Transpose', ['x', 'perm'], { Tperm: A.type('DT_INT32') });
      t.m.node('y', 'Relu', ['nchw']);
    });
    const e = thrown(() => imp(['y']));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toContain('nchw');
    expect(e.message).toMatch(/0, ?3, ?1, ?2/);
  });

  it('Mean over axis 3: UnsupportedOpError naming the axis', () => {
    const imp = build((t) => {
      t.input('x', [1, 5, 7, 6]);
      t.m.ints('axes', [3]);
      t.m.node('reduce', 'Mean', ['x', 'axes'], { keep_dims: A.b(true), Tidx: A.type('DT_INT32') });
    });
    const e = thrown(() => imp(['reduce']));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toContain("'reduce'");
    expect(e.message).toMatch(/\b3\b/);
  });

  it('PadV2 with constant_values 1.5: UnsupportedOpError naming the value', () => {
    const imp = build((t) => {
      t.input('x', [1, 5, 7, 6]);
      t.m.ints('p', [0, 0, 1, 1, 1, 1, 0, 0], [4, 2]);
      t.fconst('value', [], [1.5]);
      t.m.node('padded', 'PadV2', ['x', 'p', 'value'], { Tpaddings: A.type('DT_INT32') });
    });
    const e = thrown(() => imp(['padded']));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toContain('padded');
    expect(e.message).toContain('1.5');
  });

  it('MirrorPad: UnsupportedOpError naming the op', () => {
    const imp = build((t) => {
      t.input('x', [1, 5, 7, 6]);
      t.m.ints('p', [0, 0, 1, 1, 1, 1, 0, 0], [4, 2]);
      t.m.node('mirror', 'MirrorPad', ['x', 'p'], { mode: A.s('REFLECT'), Tpaddings: A.type('DT_INT32') });
    });
    const e = thrown(() => imp(['mirror']));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toContain('MirrorPad');
    expect(e.message).toContain('mirror');
  });

  it('Conv2D with data_format NCHW: UnsupportedOpError naming the format', () => {
    const imp = build((t) => {
      t.input('x', [1, 5, 7, 6]);
      t.rconst('w', [3, 3, 6, 5]);
      t.m.node('c', 'Conv2D', ['x', 'w'], { ...conv(1), data_format: A.s('NCHW') });
    });
    const e = thrown(() => imp(['c']));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toContain('NCHW');
  });

  it('DepthwiseConv2dNative with channel multiplier 2: UnsupportedOpError naming the multiplier', () => {
    const imp = build((t) => {
      t.input('x', [1, 5, 7, 3]);
      t.rconst('w', [3, 3, 3, 2]);
      t.m.node('dw', 'DepthwiseConv2dNative', ['x', 'w'], conv(1));
    });
    const e = thrown(() => imp(['dw']));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toContain("'dw'");
    expect(e.message).toMatch(/multiplier 2/);
  });

  it('_FusedConv2D with fused_ops [BiasAdd, Softplus]: UnsupportedOpError naming Softplus', () => {
    const imp = build((t) => {
      t.input('x', [1, 5, 7, 6]);
      t.rconst('w', [3, 3, 6, 5]);
      t.rconst('b', [5]);
      t.m.node('c', '_FusedConv2D', ['x', 'w', 'b'], { ...conv(1), fused_ops: A.strs(['BiasAdd', 'Softplus']), num_args: A.i(1), epsilon: A.f(0) });
    });
    const e = thrown(() => imp(['c']));
    expect(e).toBeInstanceOf(UnsupportedOpError);
    expect(e.message).toContain('Softplus');
  });
});
