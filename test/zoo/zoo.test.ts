import { describe, expect, it } from 'vitest';
import { SepconvError, ShapeError } from '../../src/errors.js';
import type { Graph } from '../../src/graph/ir.js';
import { inferShapes } from '../../src/graph/shapes.js';
import { graphStats } from '../../src/graph/stats.js';
import { buildZooModel, makeDivisible, mulberry32, shufflenetV1Channels, ZOO } from '../../src/zoo/index.js';
import { interpret } from '../../src/runtime/interpreter.js';

/** Every tensor of the graph, by the naive interpreter. */
const evaluate = (g: Graph, feeds: Record<string, Float32Array>): Map<string, Float32Array> =>
  interpret(g, feeds, g.nodes.flatMap((n) => n.outputs));

const rms = (a: Float32Array): number => {
  let s = 0;
  for (const v of a) s += v * v;
  return Math.sqrt(s / a.length);
};

/** Published figures (ImageNet, 1000 classes, 224x224). MACs = mult-adds ("FLOPs" in the ShuffleNet papers). */
const PUBLISHED: [string, Record<string, unknown>, number | null, number][] = [
  // model, options, params (M) or null when the paper gives none, MACs (M)
  ['mobilenet_v1', { width: 1.0 }, 4.2, 569],
  ['mobilenet_v1', { width: 0.5 }, 1.3, 149],
  ['mobilenet_v2', { width: 1.0 }, 3.4, 300],
  ['mobilenet_v2', { width: 1.4 }, 6.1, 582],
  ['mobilenet_v3_large', { width: 1.0 }, 5.4, 219],
  ['mobilenet_v3_small', { width: 1.0 }, 2.5, 56],
  ['shufflenet_v1', { groups: 1 }, null, 143],
  ['shufflenet_v1', { groups: 2 }, null, 140],
  ['shufflenet_v1', { groups: 3 }, null, 137],
  ['shufflenet_v1', { groups: 4 }, null, 133],
  ['shufflenet_v1', { groups: 8 }, null, 137],
  ['shufflenet_v1', { groups: 3, width: 0.5 }, null, 38],
  ['shufflenet_v1', { groups: 3, width: 2.0 }, null, 524],
  ['shufflenet_v2', { width: 1.0 }, 2.3, 146],
  ['shufflenet_v2', { width: 2.0 }, 7.4, 591],
];

describe('param / MAC counts within 5% of the published figures', () => {
  for (const [model, opts, params, macs] of PUBLISHED) {
    it(`${model} ${JSON.stringify(opts)}: ${params ?? '-'}M params, ${macs}M MACs`, () => {
      const s = graphStats(buildZooModel(model, { ...opts, resolution: 224, classes: 1000 }));
      expect(Math.abs(s.macs / 1e6 - macs) / macs).toBeLessThanOrEqual(0.05);
      if (params !== null) expect(Math.abs(s.params / 1e6 - params) / params).toBeLessThanOrEqual(0.05);
    });
  }
});

/** Options grid per model: every combination must build (the builder shape-checks every node) and infer. */
const GRID: Record<string, Record<string, unknown>[]> = {
  mobilenet_v1: [{ width: 0.25, resolution: 128 }, { width: 0.75, resolution: 160 }, { width: 1, resolution: 199, classes: 10 }],
  mobilenet_v2: [{ width: 0.35, resolution: 96 }, { width: 0.75, resolution: 131 }, { width: 1.3, resolution: 224, expansion: 4 }, { width: 1.4, resolution: 192, batch: 2 }],
  mobilenet_v3_large: [{ width: 0.35, resolution: 96 }, { width: 0.75, resolution: 256, dilated: true }, { width: 1.25, resolution: 161 }],
  mobilenet_v3_small: [{ width: 0.35, resolution: 97 }, { width: 1, resolution: 224, dilated: true }, { width: 1.25, resolution: 256 }],
  shufflenet_v1: [
    { groups: 1, width: 0.25, resolution: 96 }, { groups: 2, width: 0.5 }, { groups: 3, width: 1.5, resolution: 160 },
    { groups: 4, width: 0.25 }, { groups: 8, width: 0.25, resolution: 65 }, { groups: 8, scale: 2 },
  ],
  shufflenet_v2: [{ width: 0.5, resolution: 96 }, { width: 1.5, resolution: 193 }, { width: 2, classes: 5 }],
  mobilenet_seg: [
    { width: 0.35, resolution: 64 }, { width: 1, resolution: 224, outputAct: 'softmax' }, { width: 1.4, resolution: 193, upKernel: 4 },
    { backbone: 'v1', width: 0.25, resolution: 97, upKernel: 3, classes: 1, outputAct: 'sigmoid' }, { backbone: 'v1', width: 1, resolution: 256 },
  ],
};

describe('every zoo model infers for several options', () => {
  it('the grid covers every registered model', () => {
    expect(Object.keys(GRID).sort()).toEqual(Object.keys(ZOO).sort());
  });
  for (const [model, list] of Object.entries(GRID)) {
    for (const opts of list) {
      it(`${model} ${JSON.stringify(opts)}`, () => {
        const g = buildZooModel(model, opts);
        const shapes = inferShapes(g);
        const out = shapes.get(g.outputs[0])!;
        const batch = (opts.batch as number) ?? 1;
        const classes = (opts.classes as number) ?? (model === 'mobilenet_seg' ? 2 : 1000);
        if (model === 'mobilenet_seg') {
          const r = (opts.resolution as number) ?? 224;
          expect(out).toEqual([batch, r, r, classes]);
        } else {
          expect(out).toEqual([batch, classes]);
        }
        const s = graphStats(g);
        expect(s.params).toBeGreaterThan(0);
        expect(s.layers.length).toBe(g.nodes.length);
      });
    }
  }
});

const shapeOf = (g: Graph, tensor: string) => inferShapes(g).get(tensor)!;

describe('model structure', () => {
  it('dilated MobileNetV3 keeps output stride 16 and dilates the last stage', () => {
    for (const model of ['mobilenet_v3_large', 'mobilenet_v3_small']) {
      for (const resolution of [224, 256, 96]) {
        const plain = buildZooModel(model, { resolution });
        const dil = buildZooModel(model, { resolution, dilated: true });
        expect(shapeOf(plain, 'conv_last')[1]).toBe(Math.ceil(resolution / 32));
        expect(shapeOf(dil, 'conv_last')[1]).toBe(Math.ceil(resolution / 16));
        const dws = dil.nodes.filter((n) => n.op === 'DepthwiseConv2D');
        const dilatedDws = dws.filter((n) => (n.attrs as { dilations: number[] }).dilations[0] === 2);
        expect(dilatedDws.length).toBe(3); // the last stage: its (former) stride-2 block + 2 more
        expect(dilatedDws.every((n) => (n.attrs as { strides: number[] }).strides[0] === 1)).toBe(true);
        expect(graphStats(dil).params).toBe(graphStats(plain).params);
      }
    }
  });

  it('mobilenet_seg output spatial size equals the input size', () => {
    for (const backbone of ['v1', 'v2']) {
      for (const resolution of [64, 97, 130, 224, 255]) {
        for (const upKernel of [2, 3, 4]) {
          const g = buildZooModel('mobilenet_seg', { backbone, resolution, upKernel, width: 0.5, classes: 3 });
          expect(shapeOf(g, g.outputs[0])).toEqual([1, resolution, resolution, 3]);
        }
      }
    }
    const g = buildZooModel('mobilenet_seg', {});
    const ops = g.nodes.map((n) => n.op);
    expect(ops.filter((o) => o === 'ConvTranspose2D').length).toBe(5);
    expect(ops.filter((o) => o === 'CReLU').length).toBe(5);
    // the last decoder block concatenates the input image
    expect(g.nodes.find((n) => n.name === 'decoder_5/concat')!.inputs).toContain('input');
  });

  it('MobileNetV2 names and unfused structure', () => {
    const g = buildZooModel('mobilenet_v2', {});
    const names = new Set(g.nodes.map((n) => n.name));
    for (const n of ['block_3/expand', 'block_3/dw', 'block_3/project', 'block_4/add', 'block_0/dw', 'conv_last', 'logits']) expect(names.has(n)).toBe(true);
    expect(names.has('block_0/expand')).toBe(false);
    expect(names.has('block_3/add')).toBe(false); // stride 2
    const adds = g.nodes.filter((n) => n.op === 'Add').length;
    expect(adds).toBe(10);
    for (const n of g.nodes) {
      if (n.op === 'Conv2D' || n.op === 'DepthwiseConv2D') {
        expect((n.attrs as { act: string }).act).toBe('linear');
        expect(n.inputs.length).toBe(2); // no bias: BN follows
      }
    }
    const conv1 = g.nodes.find((n) => n.name === 'conv1')!;
    expect((conv1.attrs as { pads: number[] }).pads).toEqual([0, 0, 1, 1]); // TF SAME, stride 2
  });

  it('MobileNetV3 SE blocks and head', () => {
    const g = buildZooModel('mobilenet_v3_large', {});
    expect(g.nodes.filter((n) => n.name.endsWith('/se/mul')).length).toBe(8);
    expect(shapeOf(g, 'block_3/se/reduce')).toEqual([1, 1, 1, 24]); // depth(72 / 4)
    expect(shapeOf(g, 'conv_last')).toEqual([1, 7, 7, 960]);
    expect(shapeOf(g, 'conv_head')).toEqual([1, 1, 1, 1280]);
    expect(shapeOf(buildZooModel('mobilenet_v3_large', { width: 1.25 }), 'conv_head')).toEqual([1, 1, 1, 1600]);
    expect(shapeOf(buildZooModel('mobilenet_v3_small', {}), 'conv_head')).toEqual([1, 1, 1, 1024]);
  });

  it('ShuffleNet channel tables', () => {
    expect(shufflenetV1Channels(3, 1)).toEqual({ stem: 24, stages: [240, 480, 960] });
    expect(shufflenetV1Channels(8, 1)).toEqual({ stem: 24, stages: [384, 768, 1536] });
    expect(shufflenetV1Channels(8, 0.5)).toEqual({ stem: 16, stages: [192, 384, 768] });
    expect(shufflenetV1Channels(3, 0.5)).toEqual({ stem: 12, stages: [120, 240, 480] });
    expect(shufflenetV1Channels(3, 2)).toEqual({ stem: 48, stages: [480, 960, 1920] });
    const g = buildZooModel('shufflenet_v1', { groups: 3 });
    const first = g.nodes.find((n) => n.name === 'stage2/unit1/gconv1')!;
    expect((first.attrs as { groups: number }).groups).toBe(1);
    expect((g.nodes.find((n) => n.name === 'stage2/unit2/gconv1')!.attrs as { groups: number }).groups).toBe(3);
    expect(shapeOf(g, 'stage2/unit1/concat')).toEqual([1, 28, 28, 240]);
    expect(shapeOf(g, 'stage4/unit4/relu')).toEqual([1, 7, 7, 960]);
    const v2 = buildZooModel('shufflenet_v2', { width: 1 });
    expect(shapeOf(v2, 'stage3/unit8/shuffle')).toEqual([1, 14, 14, 232]);
    // megvii stride-2 unit: stage 2 keeps the 24 stem channels on the left, right branch gives 116 - 24
    expect(shapeOf(v2, 'stage2/unit1/left/pw')).toEqual([1, 28, 28, 24]);
    expect(shapeOf(v2, 'stage2/unit1/right/pw2')).toEqual([1, 28, 28, 92]);
    expect(shapeOf(v2, 'stage3/unit1/right/pw2')).toEqual([1, 14, 14, 116]);
    expect(shapeOf(v2, 'conv5')).toEqual([1, 7, 7, 1024]);
  });

  it('makeDivisible', () => {
    expect(makeDivisible(32 * 0.35)).toBe(16);
    expect(makeDivisible(1280 * 1.4)).toBe(1792);
    expect(makeDivisible(16 * 0.35)).toBe(8);
    expect(makeDivisible(40 * 0.75)).toBe(32);
    expect(makeDivisible(27)).toBe(32); // 24 < 0.9 * 27
  });

  it('weights are reproducible from the seed', () => {
    const a = buildZooModel('shufflenet_v2', { width: 0.5, resolution: 96, seed: 5 });
    const b = buildZooModel('shufflenet_v2', { width: 0.5, resolution: 96, seed: 5 });
    const c = buildZooModel('shufflenet_v2', { width: 0.5, resolution: 96, seed: 6 });
    expect(a.constants.get('conv1/weight')!.data).toEqual(b.constants.get('conv1/weight')!.data);
    expect(a.constants.get('conv1/weight')!.data).not.toEqual(c.constants.get('conv1/weight')!.data);
    const gamma = a.constants.get('conv1/bn/gamma')!.data;
    expect(Math.min(...gamma)).toBeGreaterThanOrEqual(0.9);
    expect(Math.max(...gamma)).toBeLessThanOrEqual(1.1);
    const v = a.constants.get('conv1/bn/variance')!.data;
    expect(Math.min(...v)).toBeGreaterThanOrEqual(0.8);
    expect(Math.max(...v)).toBeLessThanOrEqual(1.2);
  });
});

describe('activations neither explode nor vanish (interpreter evaluation of small configs)', () => {
  const cases: [string, Record<string, unknown>][] = [
    ['mobilenet_v1', { width: 0.25, resolution: 128 }],
    ['mobilenet_v2', { width: 0.35, resolution: 96 }],
    ['mobilenet_v3_large', { width: 0.35, resolution: 96 }],
    ['mobilenet_v3_small', { width: 0.35, resolution: 96, dilated: true }],
    ['shufflenet_v1', { width: 0.25, groups: 3, resolution: 96 }],
    ['shufflenet_v2', { width: 0.5, resolution: 96 }],
    ['mobilenet_seg', { width: 0.35, resolution: 64 }],
    ['mobilenet_seg', { width: 0.25, resolution: 64, backbone: 'v1' }],
  ];
  for (const [model, opts] of cases) {
    it(`${model} ${JSON.stringify(opts)}`, () => {
      const g = buildZooModel(model, opts);
      const r = mulberry32(7);
      const n = g.inputs[0].shape.reduce((a, b) => a * b, 1);
      const input = new Float32Array(n).map(() => 2 * r() - 1);
      const vals = evaluate(g, { input });
      for (const node of g.nodes) {
        if (node.op === 'Softmax' || node.op === 'Activation' && (node.attrs as { act: string }).act === 'hsigmoid') continue;
        const v = rms(vals.get(node.outputs[0])!);
        expect(v, `${node.name} rms`).toBeGreaterThan(0.01);
        expect(v, `${node.name} rms`).toBeLessThan(50);
      }
      // the logits depend on the input (signal is not drowned by biases): relative change > 1%
      const last = g.nodes[g.nodes.length - 1];
      const logits = last.op === 'Softmax' ? last.inputs[0] : g.outputs[0];
      const out0 = vals.get(logits)!;
      const out1 = evaluate(g, { input: input.map((x) => -x) }).get(logits)!;
      let diff = 0;
      for (let i = 0; i < out0.length; i++) diff = Math.max(diff, Math.abs(out0[i] - out1[i]));
      expect(diff / rms(out0)).toBeGreaterThan(0.01);
    });
  }
});

describe('option validation', () => {
  const bad: [string, Record<string, unknown>, RegExp][] = [
    ['mobilenet_v1', { width: 1.5 }, /mobilenet_v1: option 'width' is 1.5 but must be a number in \[0.25, 1\]/],
    ['mobilenet_v1', { resolution: 96 }, /option 'resolution' is 96 but must be an integer in \[128, 224\]/],
    ['mobilenet_v2', { width: 0.3 }, /option 'width' is 0.3 but must be a number in \[0.35, 1.4\]/],
    ['mobilenet_v2', { resolution: 100.5 }, /option 'resolution' is 100.5 but must be an integer in \[96, 224\]/],
    ['mobilenet_v2', { expansion: 0 }, /option 'expansion' is 0 but must be a number in \[1, 10\]/],
    ['mobilenet_v3_large', { width: 1.3 }, /option 'width' is 1.3 but must be a number in \[0.35, 1.25\]/],
    ['mobilenet_v3_small', { resolution: 300 }, /option 'resolution' is 300 but must be an integer in \[96, 256\]/],
    ['mobilenet_v3_small', { dilated: 'yes' }, /option 'dilated' is "yes" but must be one of false, true/],
    ['shufflenet_v1', { groups: 5 }, /option 'groups' is 5 but must be one of 1, 2, 3, 4, 8/],
    ['shufflenet_v1', { scale: 3 }, /option 'scale' is 3 but must be a number in \[0.25, 2\]/],
    ['shufflenet_v2', { width: 0.75 }, /option 'width' is 0.75 but must be one of 0.5, 1, 1.5, 2/],
    ['mobilenet_seg', { backbone: 'v3' }, /option 'backbone' is "v3" but must be one of "v1", "v2"/],
    ['mobilenet_seg', { backbone: 'v1', width: 1.4 }, /option 'width' is 1.4 but must be a number in \[0.25, 1\]/],
    ['mobilenet_seg', { upKernel: 5 }, /option 'upKernel' is 5 but must be one of 2, 3, 4/],
    ['mobilenet_v2', { classes: 0 }, /option 'classes' is 0 but must be an integer in \[1, 100000\]/],
    ['mobilenet_v2', { widht: 1 }, /mobilenet_v2: unknown option 'widht'; known options: width, resolution/],
  ];
  for (const [model, opts, re] of bad) {
    it(`${model} ${JSON.stringify(opts)}`, () => {
      let err: unknown;
      try {
        buildZooModel(model, opts);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(ShapeError);
      expect((err as Error).message).toMatch(re);
    });
  }

  it('unknown model names list the known ones', () => {
    let err: unknown;
    try {
      buildZooModel('mobilenet_v4');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(SepconvError);
    expect((err as Error).message).toMatch(/unknown zoo model 'mobilenet_v4'; known models: mobilenet_v1, mobilenet_v2, mobilenet_v3_large/);
    expect(() => buildZooModel('toString')).toThrow(SepconvError);
  });

  it('registry entries describe their options', () => {
    for (const [name, e] of Object.entries(ZOO)) {
      expect(e.description.length, name).toBeGreaterThan(10);
      expect(Object.keys(e.options)).toEqual(expect.arrayContaining(['width', 'resolution', 'classes', 'seed']));
    }
  });
});
