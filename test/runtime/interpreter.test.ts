import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import type { Graph } from '../../src/graph/ir.js';
import { interpret } from '../../src/runtime/interpreter.js';
import { buildZooModel } from '../../src/zoo/index.js';
import { evaluate } from '../zoo/naive.js';
import { expectClose, randomArray, rng } from '../helpers/kernels.js';

const f32 = (a: number[]) => new Float32Array(a);

describe('naive interpreter', () => {
  it('computes a hand-made graph: 1x1 conv + bias, relu6, residual add, global pool, FC', () => {
    // x: [1,1,2,2] = pixels (1,2), (3,-4); conv 1x1 w = [[1,1],[0,2]], b = [0.5, -1]
    const g: Graph = {
      name: 'tiny',
      inputs: [{ name: 'x', shape: [1, 1, 2, 2] }],
      outputs: ['fc'],
      constants: new Map([
        ['w', { name: 'w', shape: [2, 1, 1, 2], data: f32([1, 1, 0, 2]) }],
        ['b', { name: 'b', shape: [2], data: f32([0.5, -1]) }],
        ['fw', { name: 'fw', shape: [1, 2], data: f32([1, -1]) }],
      ]),
      nodes: [
        { name: 'conv', op: 'Conv2D', inputs: ['x', 'w', 'b'], outputs: ['c'], attrs: { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, act: 'relu6' } },
        { name: 'add', op: 'Add', inputs: ['c', 'x'], outputs: ['s'], attrs: { act: 'linear' } },
        { name: 'gap', op: 'GlobalAvgPool', inputs: ['s'], outputs: ['p'], attrs: {} },
        { name: 'fc', op: 'FullyConnected', inputs: ['p', 'fw'], outputs: ['fc'], attrs: { act: 'linear' } },
      ],
    };
    // pixel 1: conv = [1+2+0.5, 4-1] = [3.5, 3] -> relu6 same; + x = [4.5, 5]
    // pixel 2: conv = [3-4+0.5, -8-1] = [-0.5, -9] -> relu6 [0, 0]; + x = [3, -4]
    // gap = [3.75, 0.5]; fc = 3.75 - 0.5 = 3.25
    const r = interpret(g, { x: f32([1, 2, 3, -4]) }, ['s', 'p', 'fc']);
    expect(Array.from(r.get('s')!)).toEqual([4.5, 5, 3, -4]);
    expect(Array.from(r.get('p')!)).toEqual([3.75, 0.5]);
    expect(Array.from(r.get('fc')!)).toEqual([3.25]);
  });

  it('computes only what the requested outputs need', () => {
    const g = buildZooModel('mobilenet_v2', { width: 0.35, resolution: 96, classes: 10 });
    const x = randomArray(96 * 96 * 3, rng(1));
    const r = interpret(g, { input: x }, ['block_1/expand/bn']);
    expect([...r.keys()]).toEqual(['block_1/expand/bn']);
  });

  it.each([
    ['mobilenet_v2', { width: 0.35, resolution: 96, classes: 10 }],
    ['mobilenet_v3_small', { width: 0.35, resolution: 96, classes: 10 }],
    ['shufflenet_v1', { width: 0.25, groups: 3, resolution: 96, classes: 10 }],
    ['shufflenet_v2', { width: 0.5, resolution: 96, classes: 10 }],
    ['mobilenet_seg', { width: 0.35, resolution: 64 }],
  ])('agrees with the independent test evaluator on %s', (name, opts) => {
    const g = buildZooModel(name, opts);
    const x = randomArray(g.inputs[0].shape.reduce((a, b) => a * b, 1), rng(3));
    const got = interpret(g, { [g.inputs[0].name]: x });
    const want = evaluate(g, { [g.inputs[0].name]: x });
    for (const o of g.outputs) expectClose(got.get(o)!, want.get(o)!, `${name} ${o}`, 1e-5);
  });

  it('rejects missing and wrong-length feeds with ShapeError', () => {
    const g = buildZooModel('mobilenet_v1', { width: 0.25, resolution: 128, classes: 10 });
    expect(() => interpret(g, {})).toThrow(ShapeError);
    expect(() => interpret(g, { input: new Float32Array(5) })).toThrow(/has 5 values but shape \[1,128,128,3\] needs 49152/);
  });
});
