import { describe, expect, it } from 'vitest';
import { ShapeError, UnsupportedOpError } from '../../src/errors.js';
import type { Graph, Node, OpAttrs, OpType } from '../../src/graph/ir.js';
import { inferShapes } from '../../src/graph/shapes.js';
import { deconvPadsAxis, tfSamePads } from '../../src/graph/padding.js';

/** Tiny graph factory: constants are zero-filled tensors of the given shapes. */
function graph(inputs: Record<string, number[]>, consts: Record<string, number[]>, nodes: Node[], outputs?: string[]): Graph {
  const constants = new Map(
    Object.entries(consts).map(([name, shape]) => [name, { name, shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) }]),
  );
  return {
    name: 't',
    inputs: Object.entries(inputs).map(([name, shape]) => ({ name, shape })),
    outputs: outputs ?? [nodes[nodes.length - 1].outputs[0]],
    nodes,
    constants,
  };
}

function n<T extends OpType>(op: T, name: string, inputs: string[], attrs: OpAttrs[T], outputs = [name]): Node {
  return { name, op, inputs, outputs, attrs } as Node;
}

const conv = (o: Partial<OpAttrs['Conv2D']> = {}): OpAttrs['Conv2D'] => ({
  kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], groups: 1, act: 'linear', ...o,
});

/** Shape of `tensor` after inferring a one-node graph. */
function one(inputs: Record<string, number[]>, consts: Record<string, number[]>, node: Node, tensor = node.outputs[0]): number[] {
  return inferShapes(graph(inputs, consts, [node], node.outputs))!.get(tensor)!;
}

function shapeError(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ShapeError);
    return (e as Error).message;
  }
  throw new Error('expected a ShapeError');
}

describe('tfSamePads', () => {
  it('matches TF SAME by hand', () => {
    // 224, k3 s2: out 112, total = 111*2 + 3 - 224 = 1 -> top 0, bottom 1
    expect(tfSamePads(224, 224, 3, 2)).toEqual([0, 0, 1, 1]);
    // 225, k3 s2: out 113, total = 112*2 + 3 - 225 = 2 -> 1, 1
    expect(tfSamePads(225, 225, 3, 2)).toEqual([1, 1, 1, 1]);
    // 14, k5 s2: out 7, total = 12 + 5 - 14 = 3 -> 1, 2
    expect(tfSamePads(14, 14, 5, 2)).toEqual([1, 1, 2, 2]);
    // dilation 2, k3 s1 on 7: effective 5, total 4 -> 2, 2
    expect(tfSamePads(7, 7, 3, 1, 2)).toEqual([2, 2, 2, 2]);
    // 1x1 or k <= s: no padding
    expect(tfSamePads(5, 5, 1, 2)).toEqual([0, 0, 0, 0]);
    expect(tfSamePads(8, 8, 2, 2)).toEqual([0, 0, 0, 0]);
    // non-square
    expect(tfSamePads(7, 8, [3, 1], [2, 1])).toEqual([1, 0, 1, 0]);
  });
  it('rejects bad sizes', () => {
    expect(shapeError(() => tfSamePads(0, 5, 3, 1))).toMatch(/inH must be a positive integer, got 0/);
    expect(shapeError(() => tfSamePads(5, 5, 3, 0))).toMatch(/stride/);
  });
  it('deconvPadsAxis', () => {
    expect(deconvPadsAxis(7, 14, 4, 2)).toEqual([1, 1]);
    expect(deconvPadsAxis(7, 13, 4, 2)).toEqual([1, 2]);
    expect(deconvPadsAxis(7, 14, 2, 2)).toEqual([0, 0]);
    expect(shapeError(() => deconvPadsAxis(7, 15, 2, 2))).toMatch(/exceeds the full extent/);
  });
});

describe('inferShapes: shapes', () => {
  it('grouped strided conv with asymmetric pads', () => {
    // H: floor((7 + 0 + 1 - 3) / 2) + 1 = 3; W: floor((9 + 0 + 1 - 3) / 2) + 1 = 4
    const s = one({ x: [1, 7, 9, 6] }, { w: [4, 3, 3, 3] }, n('Conv2D', 'c', ['x', 'w'], conv({ strides: [2, 2], pads: [0, 0, 1, 1], groups: 2 })));
    expect(s).toEqual([1, 3, 4, 4]);
  });
  it('dilated depthwise conv and conv with bias', () => {
    const a = { kernel: [3, 3], strides: [1, 1], dilations: [2, 2], pads: [2, 2, 2, 2], act: 'relu' } as OpAttrs['DepthwiseConv2D'];
    expect(one({ x: [2, 10, 10, 8] }, { w: [3, 3, 8], b: [8] }, n('DepthwiseConv2D', 'd', ['x', 'w', 'b'], a))).toEqual([2, 10, 10, 8]);
    // dilation 3, no pads: 10 - 7 + 1 = 4
    expect(one({ x: [1, 10, 10, 8] }, { w: [3, 3, 8] }, n('DepthwiseConv2D', 'd', ['x', 'w'], { ...a, dilations: [3, 3], pads: [0, 0, 0, 0] }))).toEqual([1, 4, 4, 8]);
    expect(one({ x: [1, 5, 5, 2] }, { w: [7, 1, 1, 2], b: [7] }, n('Conv2D', 'c', ['x', 'w', 'b'], conv({ kernel: [1, 1], pads: [0, 0, 0, 0] })))).toEqual([1, 5, 5, 7]);
  });
  it('transposed conv with reachable output sizes', () => {
    const a = (outputSize: [number, number], pads: [number, number, number, number] = [1, 1, 1, 1]): OpAttrs['ConvTranspose2D'] => ({ kernel: [4, 4], strides: [2, 2], pads, act: 'linear', outputSize });
    const c = { w: [5, 4, 4, 8] };
    // natural = (7-1)*2 + 4 - 1 - 1 = 14; 14 and 15 reachable
    expect(one({ x: [1, 7, 7, 8] }, c, n('ConvTranspose2D', 't', ['x', 'w'], a([14, 14])))).toEqual([1, 14, 14, 5]);
    expect(one({ x: [1, 7, 7, 8] }, c, n('ConvTranspose2D', 't', ['x', 'w'], a([15, 14])))).toEqual([1, 15, 14, 5]);
    expect(one({ x: [1, 7, 7, 8] }, c, n('ConvTranspose2D', 't', ['x', 'w'], a([13, 13], [1, 1, 2, 2])))).toEqual([1, 13, 13, 5]);
    const msg = shapeError(() => one({ x: [1, 7, 7, 8] }, c, n('ConvTranspose2D', 'dec/up', ['x', 'w'], a([16, 14]))));
    expect(msg).toContain("node 'dec/up' (ConvTranspose2D)");
    expect(msg).toContain('[1,7,7,8]');
    expect(msg).toContain('[16,14]');
    expect(msg).toContain('[14, 15]');
    const msg2 = shapeError(() => one({ x: [1, 7, 7, 8] }, c, n('ConvTranspose2D', 'dec/up', ['x', 'w'], a([13, 14]))));
    expect(msg2).toMatch(/height 13 is not reachable/);
  });
  it('pooling, GAP, flatten, FC, softmax, resize, pad, CReLU, BN, activation', () => {
    const pool = { kernel: [3, 3], strides: [2, 2], pads: [0, 0, 1, 1] } as OpAttrs['MaxPool'];
    expect(one({ x: [1, 112, 112, 24] }, {}, n('MaxPool', 'p', ['x'], pool))).toEqual([1, 56, 56, 24]);
    expect(one({ x: [1, 112, 112, 24] }, {}, n('AvgPool', 'p', ['x'], { ...pool, countIncludePad: false }))).toEqual([1, 56, 56, 24]);
    expect(one({ x: [3, 7, 5, 9] }, {}, n('GlobalAvgPool', 'g', ['x'], {}))).toEqual([3, 1, 1, 9]);
    expect(one({ x: [2, 3, 4, 5] }, {}, n('Flatten', 'f', ['x'], {}))).toEqual([2, 60]);
    expect(one({ x: [2, 1, 1, 16] }, { w: [10, 16], b: [10] }, n('FullyConnected', 'fc', ['x', 'w', 'b'], { act: 'linear' }))).toEqual([2, 10]);
    expect(one({ x: [2, 16] }, { w: [10, 16] }, n('FullyConnected', 'fc', ['x', 'w'], { act: 'relu' }))).toEqual([2, 10]);
    expect(one({ x: [2, 10] }, {}, n('Softmax', 's', ['x'], {}))).toEqual([2, 10]);
    expect(one({ x: [1, 7, 7, 4] }, {}, n('Resize', 'r', ['x'], { size: [14, 15], mode: 'bilinear', coord: 'half_pixel' }))).toEqual([1, 14, 15, 4]);
    expect(one({ x: [1, 7, 7, 4] }, {}, n('Pad', 'p', ['x'], { pads: [1, 2, 3, 4] }))).toEqual([1, 11, 13, 4]);
    expect(one({ x: [1, 7, 7, 4] }, {}, n('CReLU', 'c', ['x'], { act: 'relu' }))).toEqual([1, 7, 7, 8]);
    expect(one({ x: [1, 7, 7, 4] }, { g: [4], b: [4], m: [4], v: [4] }, n('BatchNorm', 'bn', ['x', 'g', 'b', 'm', 'v'], { epsilon: 1e-3 }))).toEqual([1, 7, 7, 4]);
    expect(one({ x: [1, 7, 7, 4] }, {}, n('Activation', 'a', ['x'], { act: 'hswish' }))).toEqual([1, 7, 7, 4]);
  });
  it('add / mul broadcasting, concat, split, shuffle; whole-graph map', () => {
    const g = graph(
      { x: [1, 4, 4, 6], y: [1, 4, 4, 2] },
      { v: [6], gate: [1, 1, 1, 6] },
      [
        n('Add', 'add', ['x', 'v'], { act: 'linear' }),
        n('Mul', 'mul', ['add', 'gate'], { act: 'relu' }),
        n('Add', 'add2', ['mul', 'x'], { act: 'linear' }),
        n('Concat', 'cat', ['add2', 'y', 'y'], {}),
        n('Split', 'split', ['cat'], { sizes: [3, 7] }, ['split:0', 'split:1']),
        n('ChannelShuffle', 'sh', ['split:1'], { groups: 7 }),
      ],
      ['sh', 'split:0'],
    );
    const s = inferShapes(g);
    expect(s.get('x')).toEqual([1, 4, 4, 6]);
    expect(s.get('gate')).toEqual([1, 1, 1, 6]);
    expect(s.get('mul')).toEqual([1, 4, 4, 6]);
    expect(s.get('cat')).toEqual([1, 4, 4, 10]);
    expect(s.get('split:0')).toEqual([1, 4, 4, 3]);
    expect(s.get('split:1')).toEqual([1, 4, 4, 7]);
    expect(s.get('sh')).toEqual([1, 4, 4, 7]);
  });
});

describe('inferShapes: errors name the node, its op and the shapes', () => {
  it('Add with mismatched shapes', () => {
    const msg = shapeError(() => one({ a: [1, 28, 28, 32], b: [1, 28, 28, 24] }, {}, n('Add', 'block3/add', ['a', 'b'], { act: 'linear' })));
    expect(msg).toBe("node 'block3/add' (Add): input 'a' has shape [1,28,28,32] but 'b' has [1,28,28,24]; Add needs equal shapes, b = [C] or b = [N,1,1,C]");
  });
  it('Mul with a wrong vector', () => {
    const msg = shapeError(() => one({ a: [1, 4, 4, 8] }, { g: [1, 1, 1, 4] }, n('Mul', 'se/mul', ['a', 'g'], { act: 'linear' })));
    expect(msg).toContain("node 'se/mul' (Mul)");
    expect(msg).toContain('[1,4,4,8]');
    expect(msg).toContain('[1,1,1,4]');
  });
  it('conv weight / groups checks', () => {
    let msg = shapeError(() => one({ x: [1, 8, 8, 6] }, { w: [4, 3, 3, 6] }, n('Conv2D', 'c1', ['x', 'w'], conv({ groups: 2 }))));
    expect(msg).toContain("node 'c1' (Conv2D)");
    expect(msg).toContain('[1,8,8,6]');
    expect(msg).toContain('[4,3,3,6]');
    expect(msg).toContain('[4,3,3,3]');
    msg = shapeError(() => one({ x: [1, 8, 8, 6] }, { w: [4, 3, 3, 1] }, n('Conv2D', 'c2', ['x', 'w'], conv({ groups: 4 }))));
    expect(msg).toMatch(/node 'c2' \(Conv2D\): input 'x' has shape \[1,8,8,6\]: its 6 channels are not divisible by groups = 4/);
    msg = shapeError(() => one({ x: [1, 8, 8, 6] }, { w: [5, 3, 3, 2] }, n('Conv2D', 'c3', ['x', 'w'], conv({ groups: 3 }))));
    expect(msg).toMatch(/cout = 5 is not divisible by groups = 3/);
    msg = shapeError(() => one({ x: [1, 8, 8, 6] }, { w: [4, 1, 1, 6] }, n('Conv2D', 'c4', ['x', 'w'], conv())));
    expect(msg).toMatch(/'weight' has shape \[4,1,1,6\] but attribute kernel is \[3,3\]/);
    msg = shapeError(() => one({ x: [1, 8, 8, 6] }, { w: [4, 3, 3, 6], b: [5] }, n('Conv2D', 'c5', ['x', 'w', 'b'], conv())));
    expect(msg).toMatch(/input 'bias' has shape \[5\] but must be \[4\]/);
    msg = shapeError(() => one({ x: [1, 8, 8] }, { w: [4, 3, 3, 6] }, n('Conv2D', 'c6', ['x', 'w'], conv())));
    expect(msg).toMatch(/input 'x' has shape \[1,8,8\] but must be NHWC/);
    msg = shapeError(() => one({ x: [1, 2, 2, 6] }, { w: [4, 3, 3, 6] }, n('Conv2D', 'c7', ['x', 'w'], conv({ pads: [0, 0, 0, 0], dilations: [2, 2] }))));
    expect(msg).toMatch(/too small for effective kernel 5x5/);
  });
  it('depthwise, BN, FC, concat, split, shuffle, pool', () => {
    const dw = { kernel: [3, 3], strides: [1, 1], dilations: [1, 1], pads: [1, 1, 1, 1], act: 'linear' } as OpAttrs['DepthwiseConv2D'];
    expect(shapeError(() => one({ x: [1, 4, 4, 8] }, { w: [3, 3, 4] }, n('DepthwiseConv2D', 'dw', ['x', 'w'], dw)))).toMatch(
      /node 'dw' \(DepthwiseConv2D\): input 'x' has shape \[1,4,4,8\] but 'weight' has \[3,3,4\]/,
    );
    expect(shapeError(() => one({ x: [1, 4, 4, 8] }, { g: [4], b: [8], m: [8], v: [8] }, n('BatchNorm', 'bn', ['x', 'g', 'b', 'm', 'v'], { epsilon: 1e-3 })))).toMatch(
      /node 'bn' \(BatchNorm\): input 'x' has shape \[1,4,4,8\] but 'gamma' has \[4\]/,
    );
    expect(shapeError(() => one({ x: [1, 2, 2, 8] }, { w: [10, 8] }, n('FullyConnected', 'fc', ['x', 'w'], { act: 'linear' })))).toMatch(/must be \[N,K\] or \[N,1,1,K\]/);
    expect(shapeError(() => one({ x: [1, 8] }, { w: [10, 7] }, n('FullyConnected', 'fc', ['x', 'w'], { act: 'linear' })))).toMatch(
      /input 'x' has shape \[1,8\] but 'weight' has \[10,7\]/,
    );
    expect(shapeError(() => one({ a: [1, 4, 4, 8], b: [1, 2, 2, 8] }, {}, n('Concat', 'cat', ['a', 'b'], {})))).toMatch(
      /node 'cat' \(Concat\): input 'inputs\[0\]' has shape \[1,4,4,8\] but 'inputs\[1\]' has \[1,2,2,8\]/,
    );
    expect(shapeError(() => one({ x: [1, 4, 4, 8] }, {}, n('Split', 'sp', ['x'], { sizes: [3, 4] }, ['sp:0', 'sp:1'])))).toMatch(/sizes \[3,4\] sum to 7, not 8/);
    expect(shapeError(() => one({ x: [1, 4, 4, 8] }, {}, n('Split', 'sp', ['x'], { sizes: [4, 4] }, ['sp:0'])))).toMatch(/has 1 outputs but must have 2/);
    expect(shapeError(() => one({ x: [1, 4, 4, 8] }, {}, n('ChannelShuffle', 'sh', ['x'], { groups: 3 })))).toMatch(
      /node 'sh' \(ChannelShuffle\): input 'x' has shape \[1,4,4,8\]: 8 channels are not divisible by groups = 3/,
    );
    expect(shapeError(() => one({ x: [1, 4, 4, 8] }, {}, n('MaxPool', 'mp', ['x'], { kernel: [2, 2], strides: [2, 2], pads: [2, 0, 0, 0] })))).toMatch(/smaller than the kernel/);
  });
  it('missing tensors, inputs and outputs', () => {
    expect(shapeError(() => one({ x: [1, 4, 4, 8] }, {}, n('Add', 'add', ['x', 'nope'], { act: 'linear' })))).toMatch(
      /node 'add' \(Add\): input 'b' refers to tensor 'nope', which is not a graph input/,
    );
    expect(shapeError(() => one({ x: [1, 4, 4, 8] }, {}, n('Add', 'add', ['x'], { act: 'linear' })))).toMatch(/has 1 inputs but needs a, b/);
    expect(shapeError(() => inferShapes(graph({ x: [1, 2] }, {}, [n('Softmax', 's', ['x'], {})], ['zzz'])))).toMatch(/graph output 'zzz'/);
    expect(shapeError(() => inferShapes(graph({ x: [1, 0] }, {}, [n('Softmax', 's', ['x'], {})])))).toMatch(/graph input 'x' has shape \[1,0\]/);
    expect(shapeError(() => inferShapes(graph({ x: [1, 2] }, {}, [n('Softmax', 'x', ['x'], {})])))).toMatch(/output 'x' is already defined/);
    expect(() => one({ x: [1, 2] }, {}, n('Bogus' as OpType, 'b', ['x'], {} as never))).toThrow(UnsupportedOpError);
  });
});
