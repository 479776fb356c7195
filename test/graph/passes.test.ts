import { describe, expect, it } from 'vitest';
import { ShapeError } from '../../src/errors.js';
import { readSepconv, writeSepconv } from '../../src/format/index.js';
import type { Graph, Node } from '../../src/graph/ir.js';
import { constantFold, deconvToGemm, foldBatchNorm, foldBias, foldPad, foldScale, fuseActivation, fuseHardActivations, fuseResidual, optimizeGraph, removeDeadNodes } from '../../src/graph/passes/index.js';
import { inferShapes } from '../../src/graph/shapes.js';
import { interpret } from '../../src/runtime/interpreter.js';
import { Session } from '../../src/runtime/index.js';
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

  it('foldBatchNorm folds into DepthwiseConv2D, ConvTranspose2D and FullyConnected (with and without a bias); new constants, originals untouched', () => {
    const b = new GraphBuilder('bnops', 13);
    const x = b.input('x', [2, 6, 6, 5]);
    let t = b.dwconv(x, 'dw', { k: 3, s: 2, bias: true });
    t = b.bn(t, 'dw/bn');
    t = b.deconv(t, 'up', { cout: 4, k: 3, s: 2, bias: false });
    t = b.bn(t, 'up/bn', 1e-5);
    const p = b.gap(t, 'gap');
    let y = b.fc(p, 'fc', 3, { bias: true });
    y = b.bn(y, 'fc/bn');
    const g = widenBn(b.build([y]));
    const snap = snapshot(g);
    const f = foldBatchNorm(g);
    expect(snapshot(g)).toBe(snap);
    expect(ops(f)).toEqual(['DepthwiseConv2D', 'ConvTranspose2D', 'GlobalAvgPool', 'FullyConnected']);
    // outputs keep the BN's names; weights and biases are new constants next to the old ones
    expect(f.nodes.map((n) => n.outputs[0])).toEqual(['dw/bn', 'up/bn', 'gap', 'fc/bn']);
    for (const n of [f.nodes[0], f.nodes[1], f.nodes[3]]) {
      expect(n.inputs).toHaveLength(3);
      expect(g.constants.has(n.inputs[1])).toBe(false);
      expect(f.constants.get(n.inputs[2])!.shape).toEqual([n.op === 'DepthwiseConv2D' ? 5 : n.op === 'FullyConnected' ? 3 : 4]);
    }
    sameResults(g, f);
    sameResults(g, removeDeadNodes(f));
    expect(removeDeadNodes(f).constants.size).toBe(6);
  });

  it('foldBatchNorm does not fire when the conv output has another reader, the conv has an activation, or there is no conv', () => {
    const b = new GraphBuilder('bnkeep', 17);
    const x = b.input('x', [1, 5, 5, 4]);
    const c = b.conv(x, 'c', { cout: 4, k: 1, bias: true });
    const n1 = b.bn(c, 'c/bn');
    const side = b.act(c, 'side', 'sigmoid'); // a second reader of the conv output
    const r = b.conv(x, 'r', { cout: 4, k: 3, act: 'relu' });
    const n2 = b.bn(r, 'r/bn'); // BN after relu: not foldable
    const s = b.add(n1, side, 's');
    const n3 = b.bn(s, 's/bn'); // BN after Add: no foldable producer, the interpreter runs it
    const y = b.add(n3, n2, 'y');
    const g = widenBn(b.build([y]));
    const f = foldBatchNorm(g);
    expect(f).toBe(g); // nothing to do: the very same graph
    expect(count(optimizeGraph(g), 'BatchNorm')).toBe(3);
    sameResults(g, optimizeGraph(g));
  });

  it('fuseActivation: every act into Conv/DW/Deconv/FC/Add/Mul/CReLU epilogues; not after a non-linear producer nor with a second reader', () => {
    const b = new GraphBuilder('acts', 19);
    const x = b.input('x', [1, 6, 6, 4]);
    let t = b.act(b.conv(x, 'c', { cout: 6, k: 3, bias: true }), 'c/hswish', 'hswish');
    t = b.act(b.dwconv(t, 'dw', { k: 3, bias: true }), 'dw/relu6', 'relu6');
    t = b.act(b.crelu(t, 'cr', 'linear'), 'cr/relu', 'relu');
    const gate = b.act(b.gap(t, 'gap'), 'gate', 'hsigmoid'); // after GlobalAvgPool: stays
    t = b.act(b.mul(t, gate, 'se'), 'se/sigmoid', 'sigmoid');
    t = b.act(b.add(t, t, 'dbl'), 'dbl/relu', 'relu');
    const twice = b.conv(t, 'c2', { cout: 4, k: 1, bias: true });
    const a1 = b.act(twice, 'c2/relu', 'relu'); // c2's output has a second reader below
    const a2 = b.add(twice, a1, 'mix');
    const a3 = b.act(b.conv(a2, 'c3', { cout: 4, k: 1, act: 'relu6' }), 'c3/hswish', 'hswish'); // c3 already has relu6
    const u = b.act(b.deconv(a3, 'up', { cout: 2, k: 2, s: 2, bias: true }), 'up/relu', 'relu');
    const v = b.act(b.fc(b.gap(u, 'gap2'), 'fc', 3), 'fc/sigmoid', 'sigmoid');
    const g = b.build([v]);
    const f = fuseActivation(g);
    const left = f.nodes.filter((n) => n.op === 'Activation').map((n) => n.name);
    expect(left).toEqual(['gate', 'c2/relu', 'c3/hswish']);
    const act = (name: string) => (f.nodes.find((n) => n.name === name)!.attrs as { act: string }).act;
    expect([act('c'), act('dw'), act('cr'), act('se'), act('dbl'), act('c2'), act('c3'), act('up'), act('fc')]).toEqual(['hswish', 'relu6', 'relu', 'sigmoid', 'relu', 'linear', 'relu6', 'relu', 'sigmoid']);
    expect(f.nodes.find((n) => n.name === 'c')!.outputs).toEqual(['c/hswish']);
    sameResults(g, f);
  });

  it('fuseResidual: a bias-less projection gets a "" bias; the residual may be either Add operand; keeps the Add act', () => {
    const b = new GraphBuilder('res', 23);
    const x = b.input('x', [1, 5, 5, 6]);
    const e = b.conv(x, 'e', { cout: 12, k: 1, act: 'relu6', bias: true });
    const p = b.conv(e, 'p', { cout: 6, k: 1, bias: false });
    const s = b.add(x, p, 's', 'relu6'); // residual first
    const q = b.conv(s, 'q', { cout: 6, k: 1, bias: true, groups: 3 });
    const y = b.add(q, s, 'y');
    const g = b.build([y]);
    const f = fuseResidual(g, inferShapes(g));
    expect(ops(f)).toEqual(['Conv2D', 'Conv2D', 'Conv2D']);
    expect(f.nodes[1].inputs).toEqual(['e', 'p/weight', '', 'x']);
    expect(f.nodes[1].outputs).toEqual(['s']);
    expect((f.nodes[1].attrs as { act: string }).act).toBe('relu6');
    expect(f.nodes[2].inputs).toEqual(['s', 'q/weight', 'q/bias', 's']);
    expect(f.nodes[2].outputs).toEqual(['y']);
    inferShapes(f);
    sameResults(g, f);
    sameResults(g, readSepconv(writeSepconv(f)));
    // shape inference checks the residual against the output
    const bad: Graph = { ...f, nodes: f.nodes.map((n) => (n.name === 'q' ? { ...n, inputs: ['s', 'q/weight', 'q/bias', 'e'] } : n)) };
    expect(() => inferShapes(bad)).toThrow(ShapeError);
    expect(() => inferShapes(bad)).toThrow("node 'q' (Conv2D): input 'residual' has shape [1,5,5,12] but the output is [1,5,5,6]");
  });

  it('fuseResidual does not fire: strided or padded conv, per-channel b, kept conv output, residual produced after the conv', () => {
    const b = new GraphBuilder('nores', 29);
    const x = b.input('x', [1, 6, 6, 4]);
    const s2 = b.conv(x, 's2', { cout: 4, k: 1, s: 2, bias: true });
    const pooled = b.avgpool(x, 'pool', 2, 2, 'valid', true);
    const a1 = b.add(s2, pooled, 'a1'); // stride 2
    const padded = b.conv(x, 'padded', { cout: 4, k: 1, pad: [1, 1, 1, 1], bias: true });
    const a2 = b.add(padded, b.conv(x, 'pad_in', { cout: 4, k: 3, pad: [2, 2, 2, 2] }), 'a2'); // 1x1 with pads, 3x3 conv
    const vec = b.constant('vec', [4], new Float32Array([1, -1, 2, 0]));
    const c3 = b.conv(x, 'c3', { cout: 4, k: 1, bias: true });
    const a3 = b.add(c3, vec, 'a3'); // b is a constant channel vector
    const c4 = b.conv(x, 'c4', { cout: 4, k: 1, bias: true });
    const later = b.act(x, 'later', 'relu'); // produced after c4
    const a4 = b.add(c4, later, 'a4');
    const c5 = b.conv(x, 'c5', { cout: 4, k: 1, bias: true });
    const a5 = b.add(c5, x, 'a5'); // c5 is kept below
    const g = b.build([a1, a2, a3, a4, a5]);
    expect(fuseResidual(g, inferShapes(g), ['c5'])).toBe(g);
    // without the keep, a5 fuses
    const f = fuseResidual(g, inferShapes(g));
    expect(count(f, 'Add')).toBe(4);
    expect(f.nodes.find((n) => n.name === 'c5')!.inputs[3]).toBe('x');
    sameResults(g, f);
    const o = optimizeGraph(g, { keep: ['c5'] });
    // only a3 goes: its constant channel vector becomes c3's bias (foldBias), not a residual
    expect(count(o, 'Add')).toBe(4);
    expect(o.nodes.some((n) => n.name === 'a3')).toBe(false);
    expect(o.nodes.find((n) => n.name === 'c3')!.outputs).toEqual(['a3']);
    sameResults(g, o, [...g.outputs, 'c5']);
  });

  it('foldPad into Conv2D and AvgPool counting padding; not into AvgPool excluding it, MaxPool, or past the kernel limit', () => {
    const b = new GraphBuilder('pads', 31);
    const x = b.input('x', [1, 7, 7, 3]);
    const c = b.conv(b.pad(x, 'p1', [1, 2, 0, 1]), 'c', { cout: 4, k: 3, pad: [1, 0, 1, 1], bias: true });
    const a = b.avgpool(b.pad(c, 'p2', [1, 1, 0, 0]), 'a', 3, 1, 'valid', true);
    const n = b.avgpool(b.pad(a, 'p3', [1, 1, 1, 1]), 'n', 3, 1, 'valid', false);
    const m = b.maxpool(b.pad(n, 'p4', [0, 1, 0, 0]), 'm', 2, 1, 'valid');
    const big = b.conv(b.pad(m, 'p5', [1, 0, 0, 0]), 'big', { cout: 2, k: 3, pad: [2, 0, 0, 0], bias: true }); // 3 > 2
    const twice = b.pad(big, 'p6', [1, 1, 1, 1]);
    const y = b.add(b.dwconv(twice, 'dw', { k: 3, pad: 'valid' }), b.dwconv(twice, 'dw2', { k: 3, pad: 'valid' }), 'y'); // two readers
    const g = b.build([y]);
    const f = foldPad(g);
    expect(ops(f)).toEqual(['Conv2D', 'AvgPool', 'Pad', 'AvgPool', 'Pad', 'MaxPool', 'Pad', 'Conv2D', 'Pad', 'DepthwiseConv2D', 'DepthwiseConv2D', 'Add']);
    expect((f.nodes[0].attrs as { pads: number[] }).pads).toEqual([2, 2, 1, 2]);
    expect(f.nodes[0].inputs[0]).toBe('x');
    expect((f.nodes[1].attrs as { pads: number[] }).pads).toEqual([1, 1, 0, 0]);
    sameResults(g, f);
    // a kept Pad output stays
    expect(ops(foldPad(g, ['p1'])).slice(0, 2)).toEqual(['Pad', 'Conv2D']);
  });

  it('constantFold leaves kept tensors; removeDeadNodes keeps kept branches; optimizeGraph never mutates its input', () => {
    const b = new GraphBuilder('keep', 37);
    const x = b.input('x', [1, 2, 2, 4]);
    const k = b.act(b.constant('k', [4], new Float32Array([-1, 2, 3, 9])), 'k6', 'relu6');
    const y = b.add(x, k, 'y');
    const side = b.act(x, 'side', 'sigmoid');
    const g = b.build([y]);
    expect(constantFold(g, ['k6'])).toBe(g);
    expect(Array.from(constantFold(g).constants.get('k6')!.data)).toEqual([0, 2, 3, 6]);
    expect(ops(removeDeadNodes(g, [side]))).toEqual(['Activation', 'Add', 'Activation']);
    expect(ops(removeDeadNodes(g))).toEqual(['Activation', 'Add']);
    const snap = snapshot(g);
    const f = optimizeGraph(g, { keep: [side] });
    expect(snapshot(g)).toBe(snap);
    expect(ops(f)).toEqual(['Add', 'Activation']);
    expect(f.constants.has('k')).toBe(false);
    sameResults(g, f, ['y', side]);
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

describe('bias and hard-activation patterns (TF graph spellings)', () => {
  it('foldBias moves Add(conv, [C] constant) into the conv bias, keeping the Add act', () => {
    const b = new GraphBuilder('bias', 41);
    const x = b.input('x', [1, 5, 5, 3]);
    const c = b.conv(x, 'c', { cout: 4, k: 3, bias: false });
    const k = b.constant('k', [4], new Float32Array([0.5, -1, 2, 0.25]));
    const y = b.add(c, k, 'biasadd', 'relu');
    const g = b.build([y]);
    const f = foldBias(g);
    expect(ops(f)).toEqual(['Conv2D']);
    expect((f.nodes[0].attrs as { act: string }).act).toBe('relu');
    sameResults(g, f);
  });

  it('fuseHardActivations turns Mul(Mul(x,1/6), Relu6(x+3)) into hswish and Mul(Relu6(x+3),1/6) into hsigmoid', () => {
    const b = new GraphBuilder('hard', 43);
    const x = b.input('x', [1, 4, 4, 5]);
    const c = b.conv(x, 'c', { cout: 5, k: 1, bias: true });
    const sixth = b.constant('sixth', [5], new Float32Array(5).fill(1 / 6));
    const three = b.constant('three', [5], new Float32Array(5).fill(3));
    const m1 = b.mul(c, sixth, 'm1');
    const a = b.add(c, three, 'a');
    const r = b.act(a, 'r', 'relu6');
    const hs = b.mul(m1, r, 'hswish');
    const a2 = b.add(hs, three, 'a2');
    const r2 = b.act(a2, 'r2', 'relu6');
    const hsig = b.mul(r2, sixth, 'hsig');
    const g = b.build([hsig]);
    const f = optimizeGraph(g);
    // conv(act hswish) then the h-sigmoid as one Activation
    expect(ops(f)).toEqual(['Conv2D', 'Activation']);
    expect((f.nodes[0].attrs as { act: string }).act).toBe('hswish');
    expect((f.nodes[1].attrs as { act: string }).act).toBe('hsigmoid');
    sameResults(g, f);
  });

  it('a float16-rounded 1/6 (0.16662598) becomes the exact activation then Mul(., 6c); optimizeGraph folds 6c into the next convs', () => {
    const b = new GraphBuilder('fp16', 47);
    const x = b.input('x', [1, 5, 5, 6]);
    const c = b.conv(x, 'c', { cout: 6, k: 1, bias: true });
    const sixth = b.constant('sixth', [6], new Float32Array(6).fill(0.1666259765625));
    const three = b.constant('three', [6], new Float32Array(6).fill(3));
    const m1 = b.mul(c, sixth, 'm1');
    const r = b.act(b.add(c, three, 'a'), 'r', 'relu6');
    const hs = b.mul(m1, r, 'hswish');
    const d = b.dwconv(hs, 'dw', { k: 3, bias: true });
    const g = b.build([d]);
    const f = fuseHardActivations(g);
    expect(ops(f)).toEqual(['Conv2D', 'Activation', 'Mul', 'DepthwiseConv2D']);
    expect(Array.from(f.constants.get(f.nodes[2].inputs[1])!.data)).toEqual(new Array(6).fill(Math.fround(6 * Math.fround(0.1666259765625))));
    sameResults(g, f);
    const o = optimizeGraph(g);
    expect(ops(o)).toEqual(['Conv2D', 'DepthwiseConv2D']);
    expect((o.nodes[0].attrs as { act: string }).act).toBe('hswish');
    sameResults(g, o);
    // a constant that is not close to 1/6 is left alone
    const b2 = new GraphBuilder('not-sixth', 47);
    const x2 = b2.input('x', [1, 2, 2, 3]);
    const k2 = b2.constant('k', [3], new Float32Array(3).fill(0.17));
    const r2 = b2.act(b2.add(x2, b2.constant('three', [3], new Float32Array(3).fill(3)), 'a'), 'r', 'relu6');
    const g2 = b2.build([b2.mul(b2.mul(x2, k2, 'm1'), r2, 'hswish')]);
    expect(fuseHardActivations(g2)).toBe(g2);
  });

  it('the Keras spelling x * hard_sigmoid(x) becomes h-swish too (exact and float16-rounded 1/6)', () => {
    for (const sixthValue of [1 / 6, 0.1666259765625]) {
      const b = new GraphBuilder('keras-hswish', 61);
      const x = b.input('x', [1, 5, 5, 6]);
      const c = b.conv(x, 'c', { cout: 6, k: 1, bias: true });
      const sixth = b.constant('sixth', [6], new Float32Array(6).fill(sixthValue));
      const three = b.constant('three', [6], new Float32Array(6).fill(3));
      const hsig = b.mul(b.act(b.add(c, three, 'a'), 'r', 'relu6'), sixth, 'hsig');
      const y = b.conv(b.mul(c, hsig, 'hswish'), 'next', { cout: 4, k: 1 });
      const g = b.build([y]);
      const o = optimizeGraph(g);
      expect(ops(o), String(sixthValue)).toEqual(['Conv2D', 'Conv2D']);
      expect((o.nodes[0].attrs as { act: string }).act).toBe('hswish');
      sameResults(g, o);
    }
  });

  it('deconvToGemm: kernel = stride transposed convs become a 1x1 conv + DepthToSpace (bias, act, batch 2, a concat slice as output)', async () => {
    for (const [cout, k, batch] of [[1, 2, 1], [3, 2, 2], [5, 3, 1]] as const) {
      const b = new GraphBuilder('d2s', 71 + cout);
      const x = b.input('x', [batch, 5, 7, 6]);
      const up = b.deconv(x, 'up', { cout, k, s: k, bias: true, act: 'sigmoid' });
      const skip = b.conv(b.input('skip', [batch, 5 * k, 7 * k, 6]), 'skip_conv', { cout: 4, k: 1 });
      const y = b.concat([skip, up], 'cat');
      const g = b.build([y]);
      const o = deconvToGemm(g);
      expect(ops(o)).toEqual(['Conv2D', 'DepthToSpace', 'Conv2D', 'Concat']);
      expect(o.nodes.find((n) => n.name === 'up/gemm')!.attrs).toMatchObject({ kernel: [1, 1], act: 'sigmoid' });
      const feeds = { x: randomArray(batch * 5 * 7 * 6, rng(cout)), skip: randomArray(batch * 5 * k * 7 * k * 6, rng(cout + 1)) };
      const want = interpret(g, feeds).get('cat')!;
      expectClose(interpret(o, feeds).get('cat')!, want, `interpreter cout=${cout}`, 1e-5);
      // planned: the DepthToSpace writes straight into its concat slice (strided copies)
      const s = await Session.create(g);
      expect(s.plan.steps.some((st) => st.op === 'DepthToSpace')).toBe(true);
      const out = await s.run({ x: { data: feeds.x, shape: [batch, 5, 7, 6] }, skip: { data: feeds.skip, shape: [batch, 5 * k, 7 * k, 6] } });
      expectClose(out.cat.data, want, `session cout=${cout}`, 1e-5);
    }
    // overlapping (k > s) deconvs, and 8+ output channels (the deconv kernel's tile is as fast), are left alone
    for (const o of [{ cout: 2, k: 4, s: 2 }, { cout: 8, k: 2, s: 2 }]) {
      const b = new GraphBuilder('keep', 3);
      const g = b.build([b.deconv(b.input('x', [1, 4, 4, 3]), 'up', o)]);
      expect(deconvToGemm(g)).toBe(g);
    }
  });

  it('foldScale moves a per-channel scale through pooling, SE gating and relu into conv / grouped conv / FC weights', () => {
    const b = new GraphBuilder('scale', 53);
    const x = b.input('x', [1, 6, 5, 8]);
    const pos = b.constant('pos', [8], Float32Array.from([0.5, 2, 1.5, 0.25, 3, 1, 0.75, 1.25]));
    const s = b.mul(b.conv(x, 'c0', { cout: 8, k: 1 }), pos, 's');
    const gate = b.act(b.conv(b.gap(s, 'pool'), 'se', { cout: 8, k: 1, bias: true }), 'gate', 'sigmoid');
    const gated = b.mul(s, gate, 'gated');
    const y1 = b.conv(b.act(gated, 'relu', 'relu'), 'grouped', { cout: 4, k: 3, groups: 2 });
    const y2 = b.conv(s, 'plain', { cout: 3, k: 1, s: 2 });
    const g = b.build([y1, y2]);
    const f = foldScale(g);
    expect(ops(f).filter((o) => o === 'Mul')).toEqual(['Mul']); // the SE gate stays, the scale is gone
    sameResults(g, f, g.outputs);
    // negative scales do not pass through relu; a scaled tensor that reaches an Add or an output stays scaled
    for (const build of [
      (bb: GraphBuilder, t: string) => bb.conv(bb.act(t, 'relu', 'relu'), 'after', { cout: 2, k: 1 }),
      (bb: GraphBuilder, t: string) => bb.add(t, t, 'sum'),
      (bb: GraphBuilder, t: string) => t,
    ]) {
      const bb = new GraphBuilder('no-fold', 59);
      const xx = bb.input('x', [1, 3, 3, 4]);
      const t = bb.mul(xx, bb.constant('neg', [4], Float32Array.from([1, -1, 2, 0.5])), 't');
      const gg = bb.build([build(bb, t)]);
      expect(foldScale(gg)).toBe(gg);
    }
  });
});
