import { describe, expect, it } from 'vitest';
import { readSepconv, writeSepconv } from '../../src/format/index.js';
import type { Graph, Node } from '../../src/graph/ir.js';
import { constantFold, foldBatchNorm, foldPad, fuseActivation, fuseResidual, optimizeGraph, removeDeadNodes } from '../../src/graph/passes/index.js';
import { inferShapes } from '../../src/graph/shapes.js';
import { interpret } from '../../src/runtime/interpreter.js';
import { buildZooModel, GraphBuilder } from '../../src/zoo/index.js';
import { expectClose, randomArray, rng } from '../helpers/kernels.js';

const ops = (g: Graph) => g.nodes.map((n) => n.op);
const count = (g: Graph, op: string) => g.nodes.filter((n) => n.op === op).length;
const producerOf = (g: Graph, t: string) => g.nodes.find((n) => n.outputs.includes(t));
const readers = (g: Graph, t: string) => g.nodes.filter((n) => n.inputs.includes(t)).length + (g.outputs.includes(t) ? 1 : 0);
/** Activations after a linear Conv/DW/Deconv/FC/Add/Mul/CReLU whose output only they read. */
function foldableActivations(g: Graph): number {
  return g.nodes.filter((n) => {
    if (n.op !== 'Activation') return false;
    const p = producerOf(g, n.inputs[0]);
    const fusable = ['Conv2D', 'DepthwiseConv2D', 'ConvTranspose2D', 'FullyConnected', 'Add', 'Mul', 'CReLU'];
    return !!p && fusable.includes(p.op) && (p.attrs as { act: string }).act === 'linear' && readers(g, n.inputs[0]) === 1;
  }).length;
}

/** interpret(after) == interpret(before) on random input, for every graph output (1e-5 relative). */
function sameResults(before: Graph, after: Graph, outputs = before.outputs, seed = 1): void {
  const i = before.inputs[0];
  const x = randomArray(i.shape.reduce((a, b) => a * b, 1), rng(seed));
  const a = interpret(before, { [i.name]: x }, outputs);
  const b = interpret(after, { [i.name]: x }, outputs);
  for (const o of outputs) expectClose(b.get(o)!, a.get(o)!, o, 1e-5);
}

/** BatchNorm statistics far from identity (the builder's are close to it), so a wrong fold shows. */
function widenBn(g: Graph, seed = 11): Graph {
  const r = rng(seed);
  const constants = new Map(g.constants);
  for (const n of g.nodes) {
    if (n.op !== 'BatchNorm') continue;
    const ranges: [number, number][] = [[-2, 2], [-1, 1], [-1, 1], [0.1, 3]];
    n.inputs.slice(1).forEach((t, i) => {
      const c = g.constants.get(t)!;
      const [lo, hi] = ranges[i];
      constants.set(t, { ...c, data: c.data.map(() => lo + (hi - lo) * r()) });
    });
  }
  return { ...g, constants };
}

/** Everything a pass could mutate, as plain data. */
const snapshot = (g: Graph) =>
  JSON.stringify({ n: g.nodes, o: g.outputs, i: g.inputs, c: [...g.constants].map(([k, c]) => [k, c.shape, Array.from(c.data)]) });

/** x -> conv3x3 -> BN -> relu6 -> conv1x1 -> BN, + x (residual) -> relu */
function block(extra?: (b: GraphBuilder, t: string) => void): Graph {
  const b = new GraphBuilder('block', 7);
  const x = b.input('x', [1, 9, 9, 8]);
  let t = b.conv(x, 'c1', { cout: 8, k: 3, bias: false });
  t = b.bn(t, 'c1/bn');
  t = b.act(t, 'c1/relu6', 'relu6');
  extra?.(b, t);
  let u = b.conv(t, 'c2', { cout: 8, k: 1, bias: false });
  u = b.bn(u, 'c2/bn');
  const s = b.add(u, x, 'add');
  const y = b.act(s, 'relu', 'relu');
  return b.build([y]);
}

describe('graph passes', () => {
  it('foldBatchNorm folds BN into the preceding convs', () => {
    const g = block();
    const f = foldBatchNorm(g);
    expect(count(f, 'BatchNorm')).toBe(0);
    expect(f.nodes).toHaveLength(g.nodes.length - 2);
    sameResults(g, f);
    expect(g.nodes).toHaveLength(7); // the input graph is untouched
  });

  it('foldBatchNorm leaves a BN whose conv output is also read elsewhere', () => {
    const g = block();
    const g2: Graph = { ...g, outputs: [...g.outputs, 'c1'] };
    const f = foldBatchNorm(g2);
    expect(count(f, 'BatchNorm')).toBe(1);
    sameResults(g2, f, g2.outputs);
  });

  it('fuseActivation moves activations into the producing epilogue', () => {
    const g = foldBatchNorm(block());
    const f = fuseActivation(g);
    expect(count(f, 'Activation')).toBe(0);
    expect((f.nodes.find((n) => n.name === 'add')!.attrs as { act: string }).act).toBe('relu');
    sameResults(g, f);
  });

  it('fuseResidual turns 1x1 conv + Add into a conv with a residual input (act after the add)', () => {
    const g = fuseActivation(foldBatchNorm(block()));
    const f = fuseResidual(g, inferShapes(g));
    expect(ops(f)).toEqual(['Conv2D', 'Conv2D']);
    const c2 = f.nodes[1];
    expect(c2.inputs[3]).toBe('x');
    expect((c2.attrs as { act: string }).act).toBe('relu');
    sameResults(g, f);
    // the fused form survives the file format
    const back = readSepconv(writeSepconv(f));
    sameResults(g, back);
  });

  it('fuseResidual does not fire for a 3x3 conv or a conv with its own activation', () => {
    const b = new GraphBuilder('nofuse', 3);
    const x = b.input('x', [1, 6, 6, 4]);
    const c = b.conv(x, 'c3', { cout: 4, k: 3, bias: true });
    const s = b.add(c, x, 'add');
    const g = b.build([s]);
    expect(fuseResidual(g, inferShapes(g)).nodes).toHaveLength(2);
    const g2 = block();
    const relu: Graph = { ...g2, nodes: g2.nodes.map((n): Node => (n.name === 'c2' ? { ...n, attrs: { ...n.attrs, act: 'relu' } as never } : n)) };
    const f = fuseResidual(foldBatchNorm(relu), inferShapes(relu));
    expect(count(f, 'Add')).toBe(1);
  });

  it('keep: a requested intermediate tensor is never fused away', () => {
    const g = block();
    const f = optimizeGraph(g, { keep: ['c1/bn'] });
    const i = g.inputs[0];
    const x = randomArray(9 * 9 * 8, rng(2));
    expectClose(interpret(f, { [i.name]: x }, ['c1/bn']).get('c1/bn')!, interpret(g, { [i.name]: x }, ['c1/bn']).get('c1/bn')!, 'kept', 1e-5);
  });

  it('foldPad folds explicit zero padding into the conv, never into MaxPool', () => {
    const b = new GraphBuilder('pad', 5);
    const x = b.input('x', [1, 7, 7, 3]);
    const p = b.pad(x, 'pad1', [1, 0, 2, 1]);
    const c = b.dwconv(p, 'dw', { k: 3, s: 2, pad: 'valid', bias: true });
    const p2 = b.pad(c, 'pad2', [1, 1, 1, 1]);
    const m = b.maxpool(p2, 'mp', 2, 2, 'valid');
    const g = b.build([m]);
    const f = foldPad(g);
    expect(ops(f)).toEqual(['DepthwiseConv2D', 'Pad', 'MaxPool']);
    sameResults(g, f);
  });

  it('constantFold evaluates constant-only nodes; removeDeadNodes drops what no output needs', () => {
    const b = new GraphBuilder('const', 9);
    const x = b.input('x', [1, 2, 2, 4]);
    const k = b.constant('k', [4], new Float32Array([1, 2, 3, 4]));
    const k2 = b.act(k, 'k_relu6', 'relu6');
    const y = b.mul(x, k2, 'scale');
    b.act(x, 'unused', 'sigmoid');
    const g = b.build([y]);
    const f = removeDeadNodes(constantFold(g));
    expect(ops(f)).toEqual(['Mul']);
    expect(Array.from(f.constants.get('k_relu6')!.data)).toEqual([1, 2, 3, 4]);
    sameResults(g, f);
  });

  it.each([
    ['mobilenet_v1', { width: 0.25, resolution: 128 }, 84, 30],
    ['mobilenet_v2', { width: 0.35, resolution: 96 }, 152, 55],
    ['mobilenet_v3_large', { width: 0.35, resolution: 96 }, 185, 82],
    ['mobilenet_v3_small', { width: 0.35, resolution: 96 }, 157, 74],
    ['shufflenet_v1', { width: 0.25, groups: 3, resolution: 96 }, 170, 78],
    ['shufflenet_v2', { width: 0.5, resolution: 96 }, 198, 105],
    ['mobilenet_seg', { width: 0.35, resolution: 64 }, 197, 77],
    ['mobilenet_seg', { width: 0.25, resolution: 64, backbone: 'v1' }, 132, 53],
  ] as const)('optimizeGraph on %s %j: same outputs (1e-4), nothing foldable left (%i -> %i nodes)', (name, opts, before, after) => {
    const g = buildZooModel(name, opts);
    const snap = snapshot(g);
    const f = optimizeGraph(g);
    expect(snapshot(g)).toBe(snap); // the input graph is untouched
    expect(g.nodes).toHaveLength(before);
    expect(f.nodes).toHaveLength(after);
    // every BN follows a conv and is folded; every Activation after a fusable producer is fused
    expect(count(g, 'BatchNorm')).toBeGreaterThan(0);
    expect(count(f, 'BatchNorm')).toBe(0);
    expect(foldableActivations(foldBatchNorm(g))).toBeGreaterThan(0);
    expect(foldableActivations(f)).toBe(0);
    // the only activations left follow a Concat (ShuffleNet v1's stride-2 units: relu(concat(...)))
    for (const n of f.nodes.filter((n) => n.op === 'Activation')) expect(producerOf(f, n.inputs[0])?.op).toBe('Concat');
    // every residual Add (all end in a 1x1 projection) became a Conv2D residual input
    // (MobileNetV1, ShuffleNet v2 and the V1-backbone segmenter have no Add)
    expect(f.nodes.filter((n) => n.op === 'Conv2D' && n.inputs[3])).toHaveLength(count(g, 'Add'));
    expect(count(f, 'Add')).toBe(0);
    // the optimized graph is valid and survives the file format
    inferShapes(f);
    const back = readSepconv(writeSepconv(f));
    const i = g.inputs[0];
    const x = randomArray(i.shape.reduce((a, b) => a * b, 1), rng(4));
    const want = interpret(g, { [i.name]: x });
    const got = interpret(f, { [i.name]: x });
    const got2 = interpret(back, { [i.name]: x });
    for (const o of g.outputs) {
      expectClose(got.get(o)!, want.get(o)!, `${name} ${o}`, 1e-4);
      expect(got2.get(o)).toEqual(got.get(o));
    }
  });
});
