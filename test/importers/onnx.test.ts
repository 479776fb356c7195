/**
 * ONNX import against onnxruntime-web (an independent implementation, wasm backend, one thread):
 * zoo models exported to ONNX by exportOnnx, tiny hand-written models for the ops the zoo does not
 * produce, error cases, and the NCHW I/O contract of sessions over ONNX models.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FormatError, UnsupportedOpError } from '../../src/errors.js';
import type { Graph } from '../../src/graph/ir.js';
import { exportOnnx, importOnnx, loadOnnxModel, ONNX_OPS } from '../../src/importers/onnx/index.js';
import { DataType } from '../../src/importers/onnx/proto.js';
import { Session } from '../../src/runtime/session.js';
import { mobilenetV2, mobilenetV3Small, shufflenetV2 } from '../../src/zoo/index.js';
import { compare, f32, i64, model, node, parity, rand, randInit, runOrt, runOurs, type TinyModel } from './onnx-helpers.js';

/** max|diff| / max|ref| per zoo model and output, printed at the end of the zoo block. */
const report: string[] = [];

describe('zoo models exported to ONNX: sepconv vs onnxruntime-web', () => {
  const cases: [string, () => Graph, string][] = [
    ['MobileNetV2 0.5 / 128', () => mobilenetV2({ width: 0.5, resolution: 128 }), 'conv_last/relu6'],
    ['MobileNetV3-Small 1.0 / 128', () => mobilenetV3Small({ resolution: 128 }), 'conv_last/hswish'],
    ['ShuffleNet v2 0.5x / 128', () => shufflenetV2({ width: 0.5, resolution: 128 }), 'stage4/unit4/shuffle'],
  ];
  it.each(cases)('%s: feature map, logits, softmax within 1e-4 of max|ref|', async (label, build, feature) => {
    const g = build();
    // extra graph outputs: a 4-D feature map (NCHW on both sides) and the logits before softmax
    const bytes = exportOnnx({ ...g, outputs: [feature, 'logits', ...g.outputs] });
    const [N, H, W, C] = g.inputs[0].shape;
    const feeds = { input: { data: rand(N * C * H * W, 7), dims: [N, C, H, W] } };
    const ref = await runOrt(bytes, feeds);
    const ours = await runOurs(bytes, feeds);
    for (const o of [feature, 'logits', 'softmax']) {
      const r = compare(ours[o], ref[o], `${label} '${o}'`);
      report.push(`${label} ${o}: max|diff|/max|ref| = ${r.toExponential(2)}`);
    }
  });
  it('reports', () => {
    console.log(`ONNX zoo parity vs onnxruntime-web:\n  ${report.join('\n  ')}`);
  });
});

describe('ops the zoo does not produce, vs onnxruntime-web', () => {
  it('Gemm: transB = 0 with alpha / beta, transB = 1, batch 2; MatMul + Add', async () => {
    await parity({
      inputs: { x: [2, 6] },
      nodes: [
        node('Gemm', ['x', 'B0', 'C0'], ['g0'], { alpha: { f: 0.5 }, beta: { f: 2 } }),
        node('Gemm', ['x', 'B1', 'C1'], ['g1'], { transB: 1 }),
        node('MatMul', ['x', 'B0'], ['mm']),
        node('Add', ['mm', 'C0'], ['mm_bias']),
      ],
      inits: [randInit('B0', [6, 4], 1), randInit('C0', [4], 2), randInit('B1', [5, 6], 3), randInit('C1', [1, 5], 4)],
      outputs: ['g0', 'g1', 'mm_bias'],
    }, 'gemm');
  });

  it('Flatten of [N,C,H,W] with H*W > 1 into Gemm (weights permuted to NHWC order); Flatten after GlobalAveragePool; ReduceMean; Softmax', async () => {
    await parity({
      inputs: { x: [1, 3, 4, 5] },
      nodes: [
        node('Flatten', ['x'], ['flat']),
        node('Gemm', ['flat', 'W', 'b'], ['fc'], { transB: 1 }),
        node('Reshape', ['x', 'shape'], ['view']),
        node('MatMul', ['view', 'W2'], ['fc2']),
        node('GlobalAveragePool', ['x'], ['gap']),
        node('Flatten', ['gap'], ['gap_flat'], { axis: 1 }),
        node('Softmax', ['gap_flat'], ['prob'], { axis: 1 }),
        node('ReduceMean', ['x'], ['mean'], { axes: [2, 3], keepdims: 0 }),
        node('ReduceMean', ['x'], ['mean_keep'], { axes: [-1, -2] }),
        node('Softmax', ['mean_keep'], ['prob4'], { axis: 1 }),
      ],
      inits: [randInit('W', [7, 60], 5), randInit('b', [7], 6), i64('shape', [2], [1, -1]), randInit('W2', [60, 3], 7)],
      outputs: ['fc', 'fc2', 'gap_flat', 'prob', 'mean', 'mean_keep', 'prob4'],
    }, 'flatten');
  });

  it('Resize: nearest (asymmetric floor, half_pixel, downscale with ties), linear (half_pixel, align_corners, asymmetric), sizes and scales', async () => {
    const nodes = [
      node('Resize', ['x', '', 'sc2'], ['near_asym'], { mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'floor' }),
      node('Resize', ['x', '', 'sc2'], ['near_half'], { mode: 'nearest' }),
      node('Resize', ['x', '', '', 'sz_down'], ['near_down'], { mode: 'nearest' }),
      node('Resize', ['x', '', '', 'sz_odd'], ['lin_half'], { mode: 'linear' }),
      node('Resize', ['x', '', '', 'sz_odd'], ['lin_ac'], { mode: 'linear', coordinate_transformation_mode: 'align_corners' }),
      node('Resize', ['x', '', 'sc2'], ['lin_asym'], { mode: 'linear', coordinate_transformation_mode: 'asymmetric' }),
      node('Resize', ['x', '', '', 'sz_odd'], ['lin_pt'], { mode: 'linear', coordinate_transformation_mode: 'pytorch_half_pixel' }),
    ];
    await parity({
      inputs: { x: [1, 3, 4, 6] },
      nodes,
      inits: [f32('sc2', [4], [1, 1, 2, 2]), i64('sz_down', [4], [1, 3, 2, 3]), i64('sz_odd', [4], [1, 3, 7, 9])],
      outputs: nodes.map((n) => n.output![0]),
    }, 'resize');
  });

  it('Resize modes sepconv cannot match are UnsupportedOpError naming them', () => {
    const m = (attrs: Record<string, string>, sizes: number[]) =>
      model({ inputs: { x: [1, 2, 5, 5] }, nodes: [node('Resize', ['x', '', '', 'sz'], ['y'], attrs, 'up')], inits: [i64('sz', [4], sizes)], outputs: ['y'] });
    expect(() => importOnnx(m({ mode: 'cubic' }, [1, 2, 10, 10]))).toThrow(/'up' \(Resize\): mode 'cubic'/);
    // 5 -> 3 nearest with round_prefer_ceil on asymmetric coordinates reads 0, 2, 3: no IR mode does
    expect(() => importOnnx(m({ mode: 'nearest', coordinate_transformation_mode: 'asymmetric', nearest_mode: 'round_prefer_ceil' }, [1, 2, 3, 3]))).toThrow(UnsupportedOpError);
    expect(() => importOnnx(m({ mode: 'nearest', coordinate_transformation_mode: 'tf_crop_and_resize' }, [1, 2, 3, 3]))).toThrow(/tf_crop_and_resize/);
  });

  it('ConvTranspose: output_padding, output_shape, SAME_UPPER / SAME_LOWER, bias; Conv auto_pad SAME_UPPER / SAME_LOWER, dilations, groups, depthwise', async () => {
    await parity({
      inputs: { x: [1, 4, 5, 6] },
      nodes: [
        node('ConvTranspose', ['x', 'Wt', 'bt'], ['deconv_op'], { strides: [2, 2], pads: [1, 1, 1, 1], output_padding: [1, 1] }),
        node('ConvTranspose', ['x', 'Wt'], ['deconv_shape'], { strides: [2, 2], output_shape: [10, 12] }),
        node('ConvTranspose', ['x', 'Wt'], ['deconv_upper'], { strides: [2, 2], auto_pad: 'SAME_UPPER' }),
        node('ConvTranspose', ['x', 'Wt'], ['deconv_lower'], { strides: [2, 2], auto_pad: 'SAME_LOWER' }),
        node('ConvTranspose', ['x', 'Wr'], ['deconv_rect'], { strides: [3, 2], output_shape: [15, 13] }),
        node('Conv', ['x', 'Wr2'], ['conv_rect'], { strides: [2, 1], auto_pad: 'SAME_LOWER' }),
        node('Conv', ['x', 'Wc', 'bc'], ['same_upper'], { strides: [2, 2], auto_pad: 'SAME_UPPER' }),
        node('Conv', ['x', 'Wc'], ['same_lower'], { strides: [2, 2], auto_pad: 'SAME_LOWER' }),
        node('Conv', ['x', 'Wg'], ['grouped'], { group: 2, dilations: [2, 1], pads: [2, 1, 2, 1] }),
        node('Conv', ['x', 'Wd', 'bd'], ['depthwise'], { group: 4, pads: [1, 1, 1, 1], strides: [1, 2] }),
        node('Conv', ['x', 'Wm'], ['multiplier'], { group: 4 }),
      ],
      inits: [
        randInit('Wt', [4, 3, 3, 3], 11), randInit('bt', [3], 12), randInit('Wc', [5, 4, 3, 3], 13), randInit('bc', [5], 14),
        randInit('Wg', [6, 2, 3, 3], 15), randInit('Wd', [4, 1, 3, 3], 16), randInit('bd', [4], 17), randInit('Wm', [8, 1, 1, 1], 18),
        randInit('Wr', [4, 2, 4, 3], 19), randInit('Wr2', [3, 4, 2, 3], 20),
      ],
      outputs: ['deconv_op', 'deconv_shape', 'deconv_upper', 'deconv_lower', 'deconv_rect', 'conv_rect', 'same_upper', 'same_lower', 'grouped', 'depthwise', 'multiplier'],
    }, 'conv');
  });

  it('Slice of a channel range (inputs, opset 13), Split with sizes, Concat; pooling with pads and count_include_pad', async () => {
    await parity({
      inputs: { x: [1, 6, 5, 5] },
      nodes: [
        node('Slice', ['x', 'st', 'en', 'ax'], ['mid']),
        node('Slice', ['x', 'st2', 'en2'], ['tail']),
        node('Split', ['x', 'sp'], ['s0', 's1', 's2'], { axis: 1 }),
        node('Concat', ['s2', 's0'], ['cat'], { axis: 1 }),
        node('AveragePool', ['x'], ['avg_in'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1], count_include_pad: 1 }),
        node('AveragePool', ['x'], ['avg_ex'], { kernel_shape: [3, 3], strides: [2, 2], pads: [1, 1, 1, 1] }),
        node('MaxPool', ['x'], ['max'], { kernel_shape: [2, 2], strides: [2, 2], pads: [0, 0, 1, 1] }),
      ],
      inits: [i64('st', [1], [1]), i64('en', [1], [4]), i64('ax', [1], [1]), i64('st2', [4], [0, 3, 0, 0]), i64('en2', [4], [9e15, 9e15, 9e15, 9e15]), i64('sp', [3], [1, 2, 3])],
      outputs: ['mid', 'tail', 's0', 's1', 's2', 'cat', 'avg_in', 'avg_ex', 'max'],
    }, 'slice');
  });

  it('Clip: min/max inputs (opset 13) and attributes (opset 10): relu6, relu, general range', async () => {
    const inits = [f32('zero', [], [0]), f32('six', [], [6]), f32('lo', [], [-0.5]), f32('hi', [], [0.25])];
    await parity({
      inputs: { x: [1, 3, 4, 4] },
      nodes: [
        node('Mul', ['x', 'k'], ['xs']),
        node('Clip', ['xs', 'zero', 'six'], ['relu6']),
        node('Clip', ['xs', 'zero'], ['relu']),
        node('Clip', ['xs', 'lo', 'hi'], ['range']),
        node('Clip', ['xs', '', 'hi'], ['upper']),
      ],
      inits: [...inits, f32('k', [], [8])],
      outputs: ['relu6', 'relu', 'range', 'upper'],
    }, 'clip13');
    await parity({
      opset: 10,
      inputs: { x: [1, 3, 4, 4] },
      nodes: [
        node('Mul', ['x', 'k'], ['xs']),
        node('Clip', ['xs'], ['relu6'], { min: { f: 0 }, max: { f: 6 } }),
        node('Clip', ['xs'], ['relu'], { min: { f: 0 } }),
        node('Clip', ['xs'], ['range'], { min: { f: -1 }, max: { f: 2 } }),
      ],
      inits: [f32('k', [], [8])],
      outputs: ['relu6', 'relu', 'range'],
    }, 'clip10');
  });

  it('HardSigmoid (1/6, 0.5 and general alpha / beta), HardSwish, Sigmoid, Neg, LeakyRelu, PRelu, Sub / Div by constants', async () => {
    await parity({
      inputs: { x: [1, 4, 3, 3] },
      nodes: [
        node('Mul', ['x', 'k'], ['xs']),
        node('HardSigmoid', ['xs'], ['hsig'], { alpha: { f: 1 / 6 }, beta: { f: 0.5 } }),
        node('HardSigmoid', ['xs'], ['hsig_gen'], { alpha: { f: 0.2 }, beta: { f: 0.4 } }),
        node('HardSigmoid', ['xs'], ['hsig_default']),
        node('HardSwish', ['xs'], ['hswish']),
        node('Sigmoid', ['xs'], ['sig']),
        node('Neg', ['xs'], ['neg']),
        node('LeakyRelu', ['xs'], ['leaky'], { alpha: { f: 0.1 } }),
        node('PRelu', ['xs', 'slope'], ['prelu']),
        node('Sub', ['xs', 'c'], ['sub']),
        node('Div', ['xs', 'c'], ['div']),
      ],
      inits: [f32('k', [], [5]), randInit('slope', [4, 1, 1], 21, 0, 0.5), randInit('c', [1, 4, 1, 1], 22, 1, 2)],
      outputs: ['hsig', 'hsig_gen', 'hsig_default', 'hswish', 'sig', 'neg', 'leaky', 'prelu', 'sub', 'div'],
    }, 'activations');
  });

  it('older opsets: Upsample (9), Split / Squeeze / Unsqueeze attributes and Pad inputs (11); ceil_mode pooling; Constant nodes', async () => {
    await parity({
      opset: 9,
      inputs: { x: [1, 2, 3, 4] },
      nodes: [
        node('Upsample', ['x', 'sc'], ['up_near'], { mode: 'nearest' }),
        node('Upsample', ['x', 'sc3'], ['up_near3'], { mode: 'nearest' }),
        node('Upsample', ['x', 'sc'], ['up_lin'], { mode: 'linear' }),
      ],
      inits: [f32('sc', [4], [1, 1, 2, 2]), f32('sc3', [4], [1, 1, 3, 2])],
      outputs: ['up_near', 'up_near3', 'up_lin'],
    }, 'opset9');
    await parity({
      opset: 11,
      inputs: { x: [1, 5, 5, 7] },
      nodes: [
        node('Split', ['x'], ['a', 'b'], { axis: 1, split: [2, 3] }),
        node('GlobalAveragePool', ['b'], ['g']),
        node('Squeeze', ['g'], ['sq'], { axes: [2, 3] }),
        node('Unsqueeze', ['sq'], ['usq'], { axes: [2, 3] }),
        node('Mul', ['b', 'usq'], ['gated']),
        node('Constant', [], ['pads'], { value: { t: i64('', [8], [0, 0, 1, 2, 0, 0, 2, 0]) } }),
        node('Pad', ['a', 'pads'], ['padded']),
        node('MaxPool', ['x'], ['mp_ceil'], { kernel_shape: [3, 3], strides: [2, 2], ceil_mode: 1 }),
        node('AveragePool', ['x'], ['ap_ceil'], { kernel_shape: [2, 2], strides: [2, 2], ceil_mode: 1 }),
        node('Constant', [], ['half'], { value_float: { f: 0.5 } }),
        node('Mul', ['a', 'half'], ['halved']),
      ],
      outputs: ['a', 'gated', 'padded', 'mp_ceil', 'ap_ceil', 'halved'],
    }, 'opset11');
  });

  it('hand-written channel shuffle (Reshape / Transpose / Reshape) with shape arithmetic (Shape, Gather, Concat), SE gating, float_data and float16 initializers', async () => {
    const half = new Uint16Array([0x3c00, 0xbc00, 0x3800, 0x4000, 0x3400, 0xb800]); // 1, -1, 0.5, 2, 0.25, -0.5
    const wHalf = { name: 'w16', dims: [6, 1, 1, 1], data_type: DataType.FLOAT16, raw_data: new Uint8Array(half.buffer) };
    await parity({
      inputs: { x: [1, 6, 3, 4] },
      nodes: [
        node('Shape', ['x'], ['shp']),
        node('Gather', ['shp', 'i0'], ['n']),
        node('Concat', ['n', 'g_dims'], ['view_shape'], { axis: 0 }),
        node('Reshape', ['x', 'view_shape'], ['v5']),
        node('Transpose', ['v5'], ['t5'], { perm: [0, 2, 1, 3, 4] }),
        node('Reshape', ['t5', 'back'], ['shuffled']),
        node('GlobalAveragePool', ['shuffled'], ['gap']),
        node('Conv', ['gap', 'wse'], ['se']),
        node('Sigmoid', ['se'], ['gate']),
        node('Mul', ['shuffled', 'gate'], ['gated']),
        node('Cast', ['w16'], ['w32'], { to: DataType.FLOAT }),
        node('Conv', ['gated', 'w32'], ['scaled'], { group: 6 }),
      ],
      inits: [
        i64('i0', [1], [0]), i64('g_dims', [4], [2, 3, 3, 4]), i64('back', [4], [1, 6, 3, 4]),
        { name: 'wse', dims: [6, 6, 1, 1], data_type: DataType.FLOAT, float_data: Array.from(rand(36, 31)) },
        wHalf,
      ],
      outputs: ['shuffled', 'gated', 'scaled'],
    }, 'shuffle');
  });
});

describe('errors', () => {
  const conv = (extra: Partial<TinyModel> = {}): TinyModel => ({
    inputs: { x: [1, 2, 4, 4] },
    nodes: [node('Conv', ['x', 'W'], ['y'], { pads: [1, 1, 1, 1] }, 'conv0')],
    inits: [randInit('W', [3, 2, 3, 3], 1)],
    outputs: ['y'],
    ...extra,
  });

  it('an unsupported op names the op, the node and the supported ops', () => {
    const bytes = model(conv({ nodes: [...conv().nodes, node('LRN', ['y'], ['z'], { size: 3 }, 'norm1')], outputs: ['z'] }));
    let err: unknown;
    try {
      importOnnx(bytes, { source: 'lrn.onnx' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(UnsupportedOpError);
    const msg = (err as Error).message;
    expect(msg).toContain("lrn.onnx: node 'norm1' (LRN)");
    expect(msg).toContain('supported ONNX ops: Conv, ConvTranspose');
    for (const op of ['Resize', 'HardSwish', 'Gemm']) expect(msg).toContain(op);
    expect(ONNX_OPS).toContain('Slice');
  });

  it('an unsupported attribute value is named', () => {
    const m = (attrs: Record<string, string | number>) => model(conv({ nodes: [node('Conv', ['x', 'W'], ['y'], attrs, 'conv0')] }));
    expect(() => importOnnx(m({ auto_pad: 'SAME_MIDDLE' }))).toThrow(/'conv0' \(Conv\): auto_pad 'SAME_MIDDLE'/);
    const slice = model({
      inputs: { x: [1, 2, 4, 4] }, nodes: [node('Slice', ['x', 'st', 'en', 'ax'], ['y'], {}, 'crop')],
      inits: [i64('st', [1], [1]), i64('en', [1], [3]), i64('ax', [1], [2])], outputs: ['y'],
    });
    expect(() => importOnnx(slice)).toThrow(/'crop' \(Slice\): slicing \[1,2,4,4\] on axes \[2\]/);
  });

  it('nodes outside what the requested outputs need are never converted', async () => {
    const bytes = model(conv({ nodes: [...conv().nodes, node('LRN', ['y'], ['z'], { size: 3 }, 'norm1')], outputs: ['z'] }));
    const g = importOnnx(bytes, { outputs: ['y'] });
    expect(g.nodes.map((n) => n.op)).toEqual(['Conv2D']);
    const s = await Session.create(bytes, { outputs: ['y'], variant: 'simd' });
    expect(s.outputs).toEqual({ y: [1, 3, 4, 4] });
  });

  it('truncated or garbage bytes are FormatError', async () => {
    const bytes = model(conv());
    for (const cut of [bytes.length - 1, Math.floor(bytes.length / 2), 7]) {
      expect(() => importOnnx(bytes.subarray(0, cut)), `cut at ${cut}`).toThrow(FormatError);
    }
    const garbage = new TextEncoder().encode('this is not a model, just some text');
    expect(() => importOnnx(garbage)).toThrow(FormatError);
    await expect(Session.create(garbage)).rejects.toThrow(/neither a \.sepconv file .* nor an ONNX model/);
  });

  it('a missing initializer and inconsistent shapes are FormatError naming them', () => {
    expect(() => importOnnx(model(conv({ inits: [] })))).toThrow(/node 'conv0' \(Conv\) reads 'W', which is not a graph input, an initializer or a node output/);
    expect(() => importOnnx(model(conv({ inits: [randInit('W', [3, 5, 3, 3], 1)] })))).toThrow(FormatError);
    const bad = { name: 'W', dims: [3, 2, 3, 3], data_type: DataType.FLOAT, raw_data: new Uint8Array(12) };
    expect(() => importOnnx(model(conv({ inits: [bad] })))).toThrow(/initializer 'W' has shape \[3,2,3,3\] .* raw_data holds 12 bytes/);
  });
});

describe('NCHW I/O contract', () => {
  const tiny: TinyModel = {
    inputs: { x: [1, 3, 4, 5] },
    nodes: [node('Conv', ['x', 'W', 'b'], ['y'], { pads: [1, 1, 1, 1] }), node('GlobalAveragePool', ['y'], ['p']), node('Flatten', ['p'], ['f'])],
    inits: [randInit('W', [2, 3, 3, 3], 3), randInit('b', [2], 4)],
    outputs: ['y', 'f'],
  };

  it('sessions over ONNX models report and take NCHW; layout: nhwc gives NHWC; .onnx paths load', async () => {
    const bytes = model(tiny);
    const x = rand(60, 9);
    const ref = await runOrt(bytes, { x: { data: x, dims: [1, 3, 4, 5] } });

    const s = await Session.create(bytes, { variant: 'simd' });
    expect(s.layout).toBe('nchw');
    expect(s.inputs).toEqual({ x: [1, 3, 4, 5] });
    expect(s.outputs).toEqual({ y: [1, 2, 4, 5], f: [1, 2] });
    const r = await s.run({ x: { data: x, shape: [1, 3, 4, 5] } });
    compare({ data: r.y.data, dims: r.y.shape }, ref.y, 'nchw y');
    await expect(s.run({ x: { data: x, shape: [1, 4, 5, 3] } })).rejects.toThrow(/expects \[1,3,4,5\] \(NCHW\)/);

    const h = await Session.create(bytes, { layout: 'nhwc', variant: 'simd' });
    expect(h.inputs).toEqual({ x: [1, 4, 5, 3] });
    expect(h.outputs).toEqual({ y: [1, 4, 5, 2], f: [1, 2] });
    const xh = new Float32Array(60);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 20; p++) xh[p * 3 + c] = x[c * 20 + p];
    const rh = await h.run({ x: { data: xh, shape: [1, 4, 5, 3] } });
    const yh = new Float32Array(40);
    for (let c = 0; c < 2; c++) for (let p = 0; p < 20; p++) yh[c * 20 + p] = rh.y.data[p * 2 + c];
    compare({ data: yh, dims: [1, 2, 4, 5] }, ref.y, 'nhwc y');
    compare({ data: rh.f.data, dims: rh.f.shape }, ref.f, 'nhwc f');

    const file = join(mkdtempSync(join(tmpdir(), 'sepconv-onnx-')), 'tiny.onnx');
    writeFileSync(file, bytes);
    const p = await Session.create(file, { variant: 'simd' });
    expect(p.inputs).toEqual({ x: [1, 3, 4, 5] });
    const g = await loadOnnxModel(file);
    expect(g.layout).toBe('NCHW');
    expect(g.inputs).toEqual([{ name: 'x', shape: [1, 4, 5, 3] }]);
  });

  it("layout: 'nchw' on an NHWC model transposes at the boundary too; a bad layout is refused", async () => {
    const g = importOnnx(model(tiny));
    const nhwcGraph: Graph = { ...g, layout: undefined };
    const x = rand(60, 5);
    const a = await Session.create(nhwcGraph, { variant: 'simd' });
    expect(a.layout).toBe('nhwc');
    expect(a.inputs).toEqual({ x: [1, 4, 5, 3] });
    const b = await Session.create(nhwcGraph, { layout: 'nchw', variant: 'simd' });
    expect(b.inputs).toEqual({ x: [1, 3, 4, 5] });
    const xh = new Float32Array(60);
    for (let c = 0; c < 3; c++) for (let p = 0; p < 20; p++) xh[p * 3 + c] = x[c * 20 + p];
    const ra = await a.run({ x: { data: xh, shape: [1, 4, 5, 3] } });
    const rb = await b.run({ x: { data: x, shape: [1, 3, 4, 5] } });
    const ya = new Float32Array(40);
    for (let c = 0; c < 2; c++) for (let p = 0; p < 20; p++) ya[c * 20 + p] = ra.y.data[p * 2 + c];
    expect(Array.from(rb.y.data)).toEqual(Array.from(ya));
    expect(rb.y.shape).toEqual([1, 2, 4, 5]);
    await expect(Session.create(nhwcGraph, { layout: 'NCHW' as 'nchw' })).rejects.toThrow(/option 'layout' = "NCHW" must be 'nchw' or 'nhwc'/);
  });

  it('symbolic dimensions: batch defaults to 1, others come from inputShapes (NCHW)', async () => {
    const bytes = model({ ...tiny, inputs: { x: [0, 3, 0, 0] } });
    await expect(Session.create(bytes)).rejects.toThrow(/unknown dimensions .* inputShapes/);
    const s = await Session.create(bytes, { inputShapes: { x: [2, 3, 6, 7] }, variant: 'simd' });
    expect(s.inputs).toEqual({ x: [2, 3, 6, 7] });
    expect(s.outputs.y).toEqual([2, 2, 6, 7]);
  });
});
