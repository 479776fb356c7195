import { describe, expect, it } from 'vitest';
import { graphStats, statsByOp } from '../../src/graph/stats.js';
import { GraphBuilder } from '../../src/zoo/builder.js';

/**
 * A tiny graph whose counts are worked out by hand:
 *   input [1,8,8,3]
 *   conv 3x3 s2 SAME, 16 out, no bias -> [1,4,4,16]: params 16*3*3*3 = 432,   MACs 4*4*16*27 = 6912
 *   BN(16): params gamma + beta = 32 (mean/variance not counted), MACs 0
 *   relu: 0
 *   dw 3x3 s1 with bias -> [1,4,4,16]: params 9*16 + 16 = 160,              MACs 4*4*16*9 = 2304
 *   conv 1x1 groups 4, 16 -> 8 with bias -> [1,4,4,8]: params 8*4 + 8 = 40, MACs 4*4*8*4 = 512
 *   deconv 2x2 s2 8 -> 4, no bias -> [1,8,8,4]: params 4*2*2*8 = 128,       MACs 16 input px * 8 * 4 * 4 = 2048
 *   add (free), GAP -> [1,1,1,4], FC 4 -> 10 with bias: params 50,          MACs 40
 *   softmax: 0
 *   total params 432 + 32 + 160 + 40 + 128 + 50 = 842; MACs 6912 + 2304 + 512 + 2048 + 40 = 11816
 */
function tiny() {
  const b = new GraphBuilder('tiny', 3);
  let x = b.input('input', [1, 8, 8, 3]);
  x = b.conv(x, 'conv', { cout: 16, k: 3, s: 2 });
  x = b.bn(x, 'conv/bn');
  x = b.act(x, 'conv/relu', 'relu');
  x = b.dwconv(x, 'dw', { k: 3, bias: true });
  x = b.conv(x, 'gconv', { cout: 8, groups: 4, bias: true });
  x = b.deconv(x, 'up', { cout: 4, k: 2, s: 2 });
  x = b.add(x, x, 'add');
  x = b.gap(x, 'gap');
  x = b.fc(x, 'fc', 10);
  x = b.softmax(x, 'softmax');
  return b.build([x]);
}

describe('graphStats', () => {
  it('counts a hand-computed graph', () => {
    const s = graphStats(tiny());
    const by = Object.fromEntries(s.layers.map((l) => [l.name, l]));
    expect(by['conv']).toEqual({ name: 'conv', op: 'Conv2D', outputShape: [1, 4, 4, 16], params: 432, macs: 6912 });
    expect(by['conv/bn']).toEqual({ name: 'conv/bn', op: 'BatchNorm', outputShape: [1, 4, 4, 16], params: 32, macs: 0 });
    expect(by['conv/relu'].params + by['conv/relu'].macs).toBe(0);
    expect(by['dw']).toMatchObject({ params: 160, macs: 2304 });
    expect(by['gconv']).toMatchObject({ outputShape: [1, 4, 4, 8], params: 40, macs: 512 });
    expect(by['up']).toMatchObject({ op: 'ConvTranspose2D', outputShape: [1, 8, 8, 4], params: 128, macs: 2048 });
    expect(by['add']).toMatchObject({ params: 0, macs: 0 });
    expect(by['gap']).toMatchObject({ outputShape: [1, 1, 1, 4], params: 0, macs: 0 });
    expect(by['fc']).toMatchObject({ outputShape: [1, 10], params: 50, macs: 40 });
    expect(by['softmax']).toMatchObject({ outputShape: [1, 10], params: 0, macs: 0 });
    expect(s.params).toBe(842);
    expect(s.macs).toBe(11816);
    expect(s.layers.map((l) => l.name)).toEqual(['conv', 'conv/bn', 'conv/relu', 'dw', 'gconv', 'up', 'add', 'gap', 'fc', 'softmax']);
  });

  it('scales MACs with the batch and counts shared constants once', () => {
    const b = new GraphBuilder('shared', 1);
    const x = b.input('input', [3, 5, 5, 4]);
    const y = b.conv(x, 'c', { cout: 2 });
    const w = b.nodes[0].inputs[1];
    // a second conv reusing the same weight constant
    const z = b.node('Conv2D', 'c2', [x, w], { kernel: [1, 1], strides: [1, 1], dilations: [1, 1], pads: [0, 0, 0, 0], groups: 1, act: 'linear' })[0];
    const s = graphStats(b.build([y, z]));
    // params: 2*4 = 8 once; MACs per conv: 3 images * 25 px * 2 * 4 = 600
    expect(s.params).toBe(8);
    expect(s.macs).toBe(1200);
    expect(statsByOp(s)).toEqual({ Conv2D: { params: 8, macs: 1200, count: 2 } });
  });
});
