import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import type { Constant, Graph, Node } from '../../src/graph/ir.js';
import { interpret } from '../../src/runtime/interpreter.js';
import { buildZooModel } from '../../src/zoo/index.js';
import { randomArray, rng } from '../helpers/kernels.js';

const f32 = (a: number[]) => new Float32Array(a);
const pw = { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1 } as const;

/** A graph from a few literal parts; constants as name -> [shape, values]. */
function graph(input: number[], consts: Record<string, [number[], number[]]>, nodes: Node[], outputs: string[]): Graph {
  const constants = new Map<string, Constant>(Object.entries(consts).map(([name, [shape, v]]) => [name, { name, shape, data: f32(v) }]));
  return { name: 'hand', inputs: [{ name: 'x', shape: input }], outputs, nodes, constants };
}
const values = (m: Map<string, Float32Array>, t: string) => Array.from(m.get(t)!);

describe('naive interpreter, hand-computed graphs', () => {
  it('1x1 conv + bias, relu6, residual add, global pool, FC', () => {
    // x: [1,1,2,2] = pixels (1,2), (3,-4); conv 1x1 w = [[1,1],[0,2]], b = [0.5, -1]
    const g = graph(
      [1, 1, 2, 2],
      { w: [[2, 1, 1, 2], [1, 1, 0, 2]], b: [[2], [0.5, -1]], fw: [[1, 2], [1, -1]] },
      [
        { name: 'conv', op: 'Conv2D', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { ...pw, act: 'relu6' } } as Node,
        { name: 'add', op: 'Add', inputs: ['c', 'x'], outputs: ['s'], attrs: { act: 'linear' } },
        { name: 'gap', op: 'GlobalAvgPool', inputs: ['s'], outputs: ['p'], attrs: {} },
        { name: 'fc', op: 'FullyConnected', inputs: ['p', 'fw'], outputs: ['fc'], attrs: { act: 'linear' } },
      ],
      ['fc'],
    );
    // pixel 1: conv = [1+2+0.5, 4-1] = [3.5, 3] -> relu6 same; + x = [4.5, 5]
    // pixel 2: conv = [3-4+0.5, -8-1] = [-0.5, -9] -> relu6 [0, 0]; + x = [3, -4]
    // gap = [3.75, 0.5]; fc = 3.75 - 0.5 = 3.25
    const r = interpret(g, { x: f32([1, 2, 3, -4]) }, ['s', 'p', 'fc']);
    expect(values(r, 's')).toEqual([4.5, 5, 3, -4]);
    expect(values(r, 'p')).toEqual([3.75, 0.5]);
    expect(values(r, 'fc')).toEqual([3.25]);
  });

  it("Conv2D with a fused residual and no bias (''): act(conv(x) + residual), the residual added before act", () => {
    const g = graph(
      [1, 1, 2, 2],
      { w: [[2, 1, 1, 2], [1, 1, 0, 2]], b: [[2], [1, -1]] },
      [
        { name: 'c1', op: 'Conv2D', inputs: ['x', 'w', '', 'x'], outputs: ['y'], attrs: { ...pw, act: 'relu' } } as Node,
        { name: 'c2', op: 'Conv2D', inputs: ['x', 'w', 'b', 'x'], outputs: ['z'], attrs: { ...pw, act: 'linear' } } as Node,
      ],
      ['y', 'z'],
    );
    // pixel 1: conv = [3, 4], + x = [4, 6]; pixel 2: conv = [3-4, -8] = [-1, -8], + x = [2, -12]
    // relu: [4, 6, 2, 0] (relu before the add would give 3 for the third value)
    const r = interpret(g, { x: f32([1, 2, 3, -4]) });
    expect(values(r, 'y')).toEqual([4, 6, 2, 0]);
    expect(values(r, 'z')).toEqual([5, 5, 3, -13]);
  });

  it('depthwise 3x3 with padding, BatchNorm, hswish activation', () => {
    const g = graph(
      [1, 2, 2, 1],
      { dw: [[3, 3, 1], [1, 1, 1, 1, 1, 1, 1, 1, 1]], db: [[1], [0.5]], gamma: [[1], [2]], beta: [[1], [1]], mean: [[1], [0.5]], var: [[1], [3]] },
      [
        { name: 'dw', op: 'DepthwiseConv2D', inputs: ['x', 'dw', 'db'], outputs: ['d'], attrs: { kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], act: 'linear' } },
        { name: 'bn', op: 'BatchNorm', inputs: ['d', 'gamma', 'beta', 'mean', 'var'], outputs: ['bn'], attrs: { epsilon: 1 } },
        { name: 'hs', op: 'Activation', inputs: ['bn'], outputs: ['hs'], attrs: { act: 'hswish' } },
      ],
      ['hs'],
    );
    // every 3x3 window (pad 1) covers the whole 2x2 input: 1+2+3-7 + 0.5 = -0.5
    // BN: (-0.5 - 0.5) / sqrt(3 + 1) * 2 + 1 = 0; with x = [1,2,3,4]: 10.5 -> (10) / 2 * 2 + 1 = 11
    // hswish(v) = v * relu6(v + 3) / 6: hswish(0) = 0, hswish(11) = 11
    expect(values(interpret(g, { x: f32([1, 2, 3, -7]) }, ['d', 'bn', 'hs']), 'd')).toEqual([-0.5, -0.5, -0.5, -0.5]);
    const r = interpret(g, { x: f32([1, 2, 3, 4]) }, ['bn', 'hs']);
    expect(values(r, 'bn')).toEqual([11, 11, 11, 11]);
    expect(values(r, 'hs')).toEqual([11, 11, 11, 11]);
    const h = interpret(g, { x: f32([0, 0, 0, -0.75]) }, ['hs']); // d = -0.25 -> bn = d + 0.5 = 0.25 -> hswish = 0.25 * 3.25 / 6
    for (const v of values(h, 'hs')) expect(v).toBeCloseTo((0.25 * 3.25) / 6, 6);
  });

  it('Pad + MaxPool; AvgPool with and without counting the padding', () => {
    const pool = { kernel: [2, 2], strides: [1, 1] } as Pick<Node<'AvgPool'>['attrs'], 'kernel' | 'strides'>;
    const g = graph(
      [1, 2, 2, 1],
      {},
      [
        { name: 'pad', op: 'Pad', inputs: ['x'], outputs: ['p'], attrs: { pads: [1, 0, 0, 1] } },
        { name: 'mp', op: 'MaxPool', inputs: ['p'], outputs: ['mp'], attrs: { ...pool, pads: [0, 0, 0, 0] } },
        { name: 'ap', op: 'AvgPool', inputs: ['x'], outputs: ['ap'], attrs: { ...pool, pads: [1, 1, 0, 0], countIncludePad: false } },
        { name: 'api', op: 'AvgPool', inputs: ['x'], outputs: ['api'], attrs: { ...pool, pads: [1, 1, 0, 0], countIncludePad: true } },
      ],
      ['mp', 'ap', 'api'],
    );
    // x = [[1,-2],[-3,4]]; padded (top 1, right 1): [[0,0,0],[1,-2,0],[-3,4,0]]
    const r = interpret(g, { x: f32([1, -2, -3, 4]) }, ['p', 'mp', 'ap', 'api']);
    expect(values(r, 'p')).toEqual([0, 0, 0, 1, -2, 0, -3, 4, 0]);
    expect(values(r, 'mp')).toEqual([1, 0, 4, 4]);
    // windows (top/left padded by 1): {1}, {1,-2}, {1,-3}, {1,-2,-3,4}
    expect(values(r, 'ap')).toEqual([1, -0.5, -1, 0]);
    expect(values(r, 'api')).toEqual([0.25, -0.25, -0.5, 0]);
  });

  it('ChannelShuffle, Split, Concat, CReLU', () => {
    const g = graph(
      [1, 1, 1, 4],
      {},
      [
        { name: 'cs', op: 'ChannelShuffle', inputs: ['x'], outputs: ['cs'], attrs: { groups: 2 } },
        { name: 'sp', op: 'Split', inputs: ['cs'], outputs: ['s0', 's1'], attrs: { sizes: [1, 3] } },
        { name: 'cat', op: 'Concat', inputs: ['s1', 's0'], outputs: ['cat'], attrs: {} },
        { name: 'cr', op: 'CReLU', inputs: ['s1'], outputs: ['cr'], attrs: { act: 'relu' } },
      ],
      ['cat', 'cr'],
    );
    // [g][C/g] = [[1,-2],[3,4]] -> [[1,3],[-2,4]]
    const r = interpret(g, { x: f32([1, -2, 3, 4]) }, ['cs', 's0', 's1', 'cat', 'cr']);
    expect(values(r, 'cs')).toEqual([1, 3, -2, 4]);
    expect(values(r, 's0')).toEqual([1]);
    expect(values(r, 's1')).toEqual([3, -2, 4]);
    expect(values(r, 'cat')).toEqual([3, -2, 4, 1]);
    expect(values(r, 'cr')).toEqual([3, 0, 4, 0, 2, 0]);
  });

  it('Mul by an SE gate [N,1,1,C], Add of a channel vector with relu, over a batch of 2', () => {
    const g = graph(
      [2, 1, 2, 2],
      { gate: [[2, 1, 1, 2], [2, -1, 0.5, 1]], b: [[2], [1, 1]] },
      [
        { name: 'mul', op: 'Mul', inputs: ['x', 'gate'], outputs: ['m'], attrs: { act: 'linear' } },
        { name: 'add', op: 'Add', inputs: ['m', 'b'], outputs: ['a'], attrs: { act: 'relu' } },
      ],
      ['a'],
    );
    // image 0 gate (2,-1): [2,-2,6,-4]; image 1 gate (0.5,1): [0.5,2,1.5,4]
    const r = interpret(g, { x: f32([1, 2, 3, 4, 1, 2, 3, 4]) }, ['m', 'a']);
    expect(values(r, 'm')).toEqual([2, -2, 6, -4, 0.5, 2, 1.5, 4]);
    expect(values(r, 'a')).toEqual([3, 0, 7, 0, 1.5, 3, 2.5, 5]);
  });

  it('ConvTranspose2D, FullyConnected with relu over a batch, Flatten, Softmax, Resize', () => {
    const g = graph(
      [2, 1, 1, 2],
      { w: [[1, 2, 2, 2], [1, 0, 2, 0, 3, 0, 4, 0]], b: [[1], [1]], fw: [[1, 2], [1, 1]], fb: [[1], [0.5]] },
      [
        { name: 'up', op: 'ConvTranspose2D', inputs: ['x', 'w', 'b'], outputs: ['up'], attrs: { kernel: [2, 2], strides: [2, 2], pads: [0, 0, 0, 0], outputSize: [2, 2], act: 'linear' } },
        { name: 'fl', op: 'Flatten', inputs: ['x'], outputs: ['fl'], attrs: {} },
        { name: 'fc', op: 'FullyConnected', inputs: ['fl', 'fw', 'fb'], outputs: ['fc'], attrs: { act: 'relu' } },
        { name: 'sm', op: 'Softmax', inputs: ['fl'], outputs: ['sm'], attrs: {} },
        { name: 'rn', op: 'Resize', inputs: ['x'], outputs: ['rn'], attrs: { size: [2, 2], mode: 'nearest', coord: 'legacy' } },
        { name: 'rb', op: 'Resize', inputs: ['up'], outputs: ['rb'], attrs: { size: [2, 3], mode: 'bilinear', coord: 'align_corners' } },
      ],
      ['up', 'fc', 'sm', 'rn', 'rb'],
    );
    const r = interpret(g, { x: f32([2, 7, -1, Math.log(3)]) });
    // deconv reads channel 0 only (weights of channel 1 are 0): image 0: 2 * [1,2,3,4] + 1; image 1: -1 * [1,2,3,4] + 1
    expect(values(r, 'up')).toEqual([3, 5, 7, 9, 0, -1, -2, -3]);
    // fc: relu(x0 + x1 + 0.5): 9.5; relu(-1 + ln 3 + 0.5) = 0.5986...
    expect(values(r, 'fc')[0]).toBe(9.5);
    expect(values(r, 'fc')[1]).toBeCloseTo(Math.log(3) - 0.5, 6);
    // softmax per image: (2, 7) -> e^-5 / (e^-5 + 1); (-1, ln 3) -> e^-1 / (e^-1 + 3)
    expect(values(r, 'sm')[0]).toBeCloseTo(Math.exp(-5) / (Math.exp(-5) + 1), 6);
    expect(values(r, 'sm')[2]).toBeCloseTo(Math.exp(-1) / (Math.exp(-1) + 3), 6);
    // nearest 1x1 -> 2x2 repeats the pixel
    expect(values(r, 'rn').slice(0, 8)).toEqual([2, 7, 2, 7, 2, 7, 2, 7]);
    // align_corners 2x2 -> 2x3 of image 0: rows [3, 5], [7, 9] gain their midpoints
    expect(values(r, 'rb').slice(0, 6)).toEqual([3, 4, 5, 7, 8, 9]);
  });

  it('computes only what the requested outputs need', () => {
    const g = buildZooModel('mobilenet_v2', { width: 0.35, resolution: 96, classes: 10 });
    const x = randomArray(96 * 96 * 3, rng(1));
    const r = interpret(g, { input: x }, ['block_1/expand/bn']);
    expect([...r.keys()]).toEqual(['block_1/expand/bn']);
    // a node that would throw if it ran is never reached when its output is not needed
    const h = graph([1, 1, 1, 2], {}, [
      { name: 'a', op: 'Activation', inputs: ['x'], outputs: ['a'], attrs: { act: 'relu' } },
      { name: 'bad', op: 'Activation', inputs: ['x'], outputs: ['b'], attrs: { act: 'not-an-act' as never } },
    ], ['a', 'b']);
    expect(values(interpret(h, { x: f32([-1, 1]) }, ['a']), 'a')).toEqual([0, 1]);
  });

  it('rejects missing and wrong-length feeds and unknown outputs with ShapeError naming the input and its shape', () => {
    const g = buildZooModel('mobilenet_v1', { width: 0.25, resolution: 128, classes: 10 });
    expect(() => interpret(g, {})).toThrow(ShapeError);
    expect(() => interpret(g, {})).toThrow(/no feed for graph input 'input' \(shape \[1,128,128,3\]\)/);
    expect(() => interpret(g, { input: new Float32Array(5) })).toThrow(/feed 'input' has 5 values but shape \[1,128,128,3\] needs 49152/);
    expect(() => interpret(g, { input: new Float32Array(49152) }, ['nope'])).toThrow(ShapeError);
  });
});

describe('interpreter on 2-D tensors', () => {
  it('concatenates [N, C] tensors on their last axis', () => {
    const g: Graph = {
      name: 'concat2d',
      inputs: [{ name: 'x', shape: [1, 1, 2, 2] }],
      outputs: ['cat'],
      constants: new Map(),
      nodes: [
        { name: 'gap', op: 'GlobalAvgPool', inputs: ['x'], outputs: ['gap'], attrs: {} },
        { name: 'flat', op: 'Flatten', inputs: ['gap'], outputs: ['flat'], attrs: {} },
        { name: 'flat2', op: 'Flatten', inputs: ['x'], outputs: ['flat2'], attrs: {} },
        { name: 'cat', op: 'Concat', inputs: ['flat', 'flat2'], outputs: ['cat'], attrs: {} },
      ],
    };
    // x pixels (1, 2), (3, 6): mean = (2, 4); flat2 = 1, 2, 3, 6
    const r = interpret(g, { x: new Float32Array([1, 2, 3, 6]) });
    expect(Array.from(r.get('cat')!)).toEqual([2, 4, 1, 2, 3, 6]);
  });
});
