import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SepconvError, ShapeError, UnsupportedOpError } from '../../src/errors.js';
import { writeSepconv } from '../../src/format/index.js';
import type { Graph } from '../../src/graph/ir.js';
import { interpret } from '../../src/runtime/interpreter.js';
import { Session } from '../../src/runtime/index.js';
import { buildZooModel } from '../../src/zoo/index.js';
import { expectClose, randomArray, rng } from '../helpers/kernels.js';

const feedFor = (g: Graph, seed = 1) => {
  const i = g.inputs[0];
  return { name: i.name, data: randomArray(i.shape.reduce((a, b) => a * b, 1), rng(seed)), shape: i.shape };
};

/** Session (SIMD kernels, fused, planned) vs the naive interpreter on the unoptimised graph: 1e-4 * max|ref|. */
const TOL = 1e-4;

describe('Session on every zoo model', () => {
  const cases: Array<[string, Record<string, unknown>]> = [
    ['mobilenet_v1', { width: 0.25, resolution: 128 }],
    ['mobilenet_v2', { width: 0.35, resolution: 96 }],
    ['mobilenet_v3_large', { width: 0.35, resolution: 96 }],
    ['mobilenet_v3_small', { width: 0.35, resolution: 96 }],
    ['mobilenet_v3_small', { width: 0.35, resolution: 96, dilated: true }],
    ['shufflenet_v1', { width: 0.5, groups: 3, resolution: 96 }],
    ['shufflenet_v1', { width: 0.25, groups: 8, resolution: 96 }],
    ['shufflenet_v2', { width: 0.5, resolution: 96 }],
    ['shufflenet_v2', { width: 1.0, resolution: 96 }],
    ['mobilenet_seg', { width: 0.35, resolution: 64 }],
    ['mobilenet_seg', { width: 0.35, resolution: 64, backbone: 'v1' }],
    ['mobilenet_v2', { width: 0.35, resolution: 96, batch: 2 }],
  ];
  it.each(cases)('%s %j matches the naive interpreter', async (name, opts) => {
    const g = buildZooModel(name, opts);
    const f = feedFor(g);
    const s = await Session.create(g);
    const out = await s.run({ [f.name]: { data: f.data, shape: f.shape } });
    const ref = interpret(g, { [f.name]: f.data });
    for (const o of g.outputs) {
      expect(out[o].shape).toEqual(s.outputs[o]);
      expectClose(out[o].data, ref.get(o)!, `${name} ${o}`, TOL);
    }
    s.release();
  });

  it.each([
    ['mobilenet_v3_small', { width: 0.35, resolution: 96 }],
    ['shufflenet_v1', { width: 0.25, groups: 3, resolution: 96 }],
  ])('%s unoptimised (BatchNorm and activations as kernels, elementwise ops in place) matches too', async (name, opts) => {
    const g = buildZooModel(name, opts);
    const f = feedFor(g, 5);
    const s = await Session.create(g, { optimize: false });
    expect(s.plan.steps.some((st) => st.op === 'BatchNorm')).toBe(true);
    const inPlace = [...s.plan.tensors.values()].filter((t) => t.alias && t.alias.byteOffset === 0 && s.plan.tensors.get(t.alias.of)!.shape.join() === t.shape.join());
    expect(inPlace.length).toBeGreaterThan(10);
    const out = await s.run({ [f.name]: { data: f.data, shape: f.shape } });
    expectClose(out.softmax.data, interpret(g, { [f.name]: f.data }).get('softmax')!, name, TOL);
  });

  it('MobileNetV2 1.0/224 end to end; the planned arena is far below one buffer per tensor', async () => {
    const g = buildZooModel('mobilenet_v2', {});
    const f = feedFor(g, 2);
    const s = await Session.create(g);
    const out = await s.run({ [f.name]: { data: f.data, shape: f.shape } });
    expectClose(out.softmax.data, interpret(g, { [f.name]: f.data }).get('softmax')!, 'mobilenet_v2 1.0/224', TOL);
    expect(s.plan.peakBytes).toBeLessThan(s.plan.naiveBytes / 4);
  });
});

describe('Session outputs', () => {
  it('returns a requested intermediate tensor exactly as the interpreter computes it', async () => {
    const g = buildZooModel('mobilenet_v2', { width: 0.35, resolution: 96 });
    const f = feedFor(g);
    const s = await Session.create(g, { outputs: ['block_5/add', 'softmax'] });
    expect(s.outputNames).toEqual(['block_5/add', 'softmax']);
    const out = await s.run({ [f.name]: { data: f.data, shape: f.shape } });
    const ref = interpret(g, { [f.name]: f.data }, ['block_5/add']);
    expectClose(out['block_5/add'].data, ref.get('block_5/add')!, 'intermediate', TOL);
  });

  it('a requested Split output is copied out contiguously, its sibling stays a view; a graph input can be requested', async () => {
    const g = buildZooModel('shufflenet_v2', { width: 0.5, resolution: 64 });
    const f = feedFor(g, 9);
    const [s0, s1] = g.nodes.find((n) => n.op === 'Split')!.outputs;
    const s = await Session.create(g, { outputs: [s0, 'softmax', 'input'] });
    expect(s.plan.tensors.get(s0)!.alias).toBeUndefined();
    expect(s.plan.tensors.get(s1)!.alias).toBeDefined();
    const out = await s.run({ [f.name]: { data: f.data, shape: f.shape } });
    const ref = interpret(g, { [f.name]: f.data }, [s0, 'softmax']);
    for (const o of [s0, 'softmax']) expectClose(out[o].data, ref.get(o)!, o, TOL);
    expect(Array.from(out.input.data)).toEqual(Array.from(f.data));
  });

  it('never checks ops outside the pruned graph', async () => {
    const g = buildZooModel('mobilenet_v1', { width: 0.25, resolution: 128, classes: 10 });
    // An op sepconv does not know, after the logits.
    const bad: Graph = { ...g, outputs: ['post'], nodes: [...g.nodes, { name: 'post', op: 'TopKV2' as never, inputs: ['softmax'], outputs: ['post'], attrs: {} as never }] };
    const s = await Session.create(bad, { outputs: ['softmax'], optimize: false });
    expect(s.outputNames).toEqual(['softmax']);
    await expect(Session.create(bad, { optimize: false })).rejects.toThrow(UnsupportedOpError);
    await expect(Session.create(bad, { optimize: false })).rejects.toThrow(/op 'TopKV2' cannot be run by sepconv; supported ops: Conv2D/);
  });

  it('rejects an unknown output name, listing tensors', async () => {
    const g = buildZooModel('mobilenet_v1', { width: 0.25, resolution: 128, classes: 10 });
    await expect(Session.create(g, { outputs: ['nope'] })).rejects.toThrow(/'nope' is not a tensor of graph .* such as input, /);
  });
});

describe('Session sources', () => {
  it('loads .sepconv bytes, ArrayBuffer, a file path, a file: URL and an http URL with the same results', async () => {
    const g = buildZooModel('mobilenet_v3_small', { width: 0.35, resolution: 96, classes: 10 });
    const bytes = writeSepconv(g);
    const file = join(mkdtempSync(join(tmpdir(), 'sepconv-')), 'm.sepconv');
    writeFileSync(file, bytes);
    const server = createServer((_, res) => res.end(bytes));
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/m.sepconv`;
    try {
      const f = feedFor(g);
      const feeds = { [f.name]: { data: f.data, shape: f.shape } };
      const want = (await (await Session.create(g)).run(feeds)).softmax.data;
      for (const src of [bytes, bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), file, pathToFileURL(file), url]) {
        const got = (await (await Session.create(src as never)).run(feeds)).softmax.data;
        expect(Array.from(got)).toEqual(Array.from(want));
      }
    } finally {
      server.close();
    }
  });

  it('reports a missing file and an HTTP error as SepconvError', async () => {
    await expect(Session.create('/no/such/model.sepconv')).rejects.toThrow(/cannot read model '\/no\/such\/model.sepconv': no such file/);
    const server = createServer((_, res) => {
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    try {
      const url = `http://127.0.0.1:${(server.address() as { port: number }).port}/x.sepconv`;
      await expect(Session.create(url)).rejects.toThrow(SepconvError);
      await expect(Session.create(url)).rejects.toThrow(/HTTP 404/);
    } finally {
      server.close();
    }
  });
});

describe('Session.run validation', () => {
  it('gives typed errors for bad feeds and after release', async () => {
    const g = buildZooModel('mobilenet_v1', { width: 0.25, resolution: 128, classes: 10 });
    const s = await Session.create(g);
    const x = new Float32Array(128 * 128 * 3);
    await expect(s.run({})).rejects.toThrow(/missing input 'input' \(shape \[1,128,128,3\]\)/);
    await expect(s.run({ image: { data: x, shape: [1, 128, 128, 3] } })).rejects.toThrow(/unknown input 'image'; this model's inputs are 'input'/);
    await expect(s.run({ input: { data: x, shape: [1, 3, 128, 128] } })).rejects.toThrow(/has shape \[1,3,128,128\] but the model expects \[1,128,128,3\]/);
    await expect(s.run({ input: { data: x.subarray(1), shape: [1, 128, 128, 3] } })).rejects.toThrow(ShapeError);
    await expect(s.run({ input: { data: x.subarray(1), shape: [1, 128, 128, 3] } })).rejects.toThrow(/49151 values but shape/);
    s.release();
    await expect(s.run({ input: { data: x, shape: [1, 128, 128, 3] } })).rejects.toThrow(SepconvError);
    await expect(s.run({ input: { data: x, shape: [1, 128, 128, 3] } })).rejects.toThrow(/released/);
  });

  it('accepts threads >= 1 (runs on the calling thread for now) and rejects other values', async () => {
    const g = buildZooModel('mobilenet_v1', { width: 0.25, resolution: 128, classes: 10 });
    const f = feedFor(g, 3);
    const feeds = { [f.name]: { data: f.data, shape: f.shape } };
    const one = (await (await Session.create(g, { threads: 1 })).run(feeds)).softmax.data;
    const four = (await (await Session.create(g, { threads: 4 })).run(feeds)).softmax.data;
    expect(Array.from(four)).toEqual(Array.from(one));
    await expect(Session.create(g, { threads: 0 })).rejects.toThrow(/option 'threads' = 0 must be an integer >= 1/);
    await expect(Session.create(g, { threads: 1.5 })).rejects.toThrow(ShapeError);
  });

  it('returns copies: the next run does not change earlier results', async () => {
    const g = buildZooModel('mobilenet_v1', { width: 0.25, resolution: 128, classes: 10 });
    const s = await Session.create(g);
    const a = feedFor(g, 1);
    const b = feedFor(g, 2);
    const first = (await s.run({ input: { data: a.data, shape: a.shape } })).softmax.data;
    const saved = Array.from(first);
    await s.run({ input: { data: b.data, shape: b.shape } });
    expect(Array.from(first)).toEqual(saved);
    expect(first.buffer.byteLength).toBe(first.byteLength); // its own buffer, not a view of wasm memory
  });
});

describe('Session on hand-built graphs (residual convs, in-place operands, strided gates)', () => {
  const r = rng(11);
  const c = (name: string, shape: number[]) => [name, { name, shape, data: randomArray(shape.reduce((a, b) => a * b, 1), r) }] as const;
  const conv = (k: number, s: number, groups: number, act: 'linear' | 'relu' | 'relu6') =>
    ({ kernel: [k, k], strides: [s, s], dilations: [1, 1], pads: k === 3 ? [1, 1, 1, 1] : [0, 0, 0, 0], groups, act }) as never;

  it("Conv2D with a residual: 1x1 (grouped, bias '') via gemm r/rStride, 3x3 via conv + in-place add; residual before activation", async () => {
    const g: Graph = {
      name: 'res',
      inputs: [{ name: 'x', shape: [2, 7, 5, 12] }],
      outputs: ['y1', 'y2', 'y3'],
      constants: new Map([c('w1', [12, 1, 1, 4]), c('w3', [12, 3, 3, 12]), c('b3', [12]), c('wg', [12, 3, 3, 6])]),
      nodes: [
        { name: 'pw', op: 'Conv2D', inputs: ['x', 'w1', '', 'x'], outputs: ['y1'], attrs: conv(1, 1, 3, 'relu') },
        { name: 'k3', op: 'Conv2D', inputs: ['y1', 'w3', 'b3', 'x'], outputs: ['y2'], attrs: conv(3, 1, 1, 'relu6') },
        { name: 'g3', op: 'Conv2D', inputs: ['y2', 'wg', '', 'y1'], outputs: ['y3'], attrs: conv(3, 1, 2, 'relu') },
      ],
    };
    const x = randomArray(2 * 7 * 5 * 12, rng(3));
    for (const optimize of [true, false]) {
      const s = await Session.create(g, { optimize });
      expect(s.plan.steps.filter((st) => st.node === 'pw').map((st) => st.kernel.split('-')[1])).toEqual(['gemm', 'gemm', 'gemm']);
      expect(s.plan.steps.filter((st) => st.node === 'k3').map((st) => st.kernel.split('-')[1])).toEqual(['conv', 'conv', 'vbinary']);
      const out = await s.run({ x: { data: x, shape: [2, 7, 5, 12] } });
      const ref = interpret(g, { x });
      for (const o of g.outputs) expectClose(out[o].data, ref.get(o)!, `residual ${o}`, TOL);
    }
  });

  it('Add overwrites a dying second operand; an SE gate read from a channel slice uses its pixel stride', async () => {
    const g: Graph = {
      name: 'inplace',
      inputs: [{ name: 'x', shape: [2, 4, 4, 8] }],
      outputs: ['z'],
      constants: new Map([c('w', [8, 1, 1, 8]), c('we', [16, 1, 1, 8])]),
      nodes: [
        { name: 'pw', op: 'Conv2D', inputs: ['x', 'w'], outputs: ['t'], attrs: conv(1, 1, 1, 'linear') },
        // x is a graph input (never overwritten), t dies here: y is written over t
        { name: 'add', op: 'Add', inputs: ['x', 't'], outputs: ['y'], attrs: { act: 'relu' } },
        { name: 'expand', op: 'Conv2D', inputs: ['y', 'we'], outputs: ['e'], attrs: conv(1, 1, 1, 'linear') },
        { name: 'gap', op: 'GlobalAvgPool', inputs: ['e'], outputs: ['p'], attrs: {} },
        { name: 'sig', op: 'Activation', inputs: ['p'], outputs: ['gate'], attrs: { act: 'sigmoid' } },
        // two [2,1,1,8] gates viewed in place: pixel stride 16
        { name: 'split', op: 'Split', inputs: ['gate'], outputs: ['ga', 'gb'], attrs: { sizes: [8, 8] } },
        { name: 'mul', op: 'Mul', inputs: ['y', 'gb'], outputs: ['z'], attrs: { act: 'linear' } },
      ],
    };
    const x = randomArray(2 * 4 * 4 * 8, rng(4));
    const ref = interpret(g, { x }).get('z')!;
    for (const optimize of [false, true]) {
      const s = await Session.create(g, { optimize });
      if (!optimize) expect(s.plan.tensors.get('y')!.alias).toEqual({ of: 't', byteOffset: 0 });
      expect(s.plan.tensors.get('gb')!.stride).toBe(16);
      expect(s.plan.steps.some((st) => st.op === 'Split')).toBe(false);
      expectClose((await s.run({ x: { data: x, shape: [2, 4, 4, 8] } })).z.data, ref, `in place, optimize ${optimize}`, TOL);
    }
  });

  it.each([1, 2])('batch %i: pooled vectors, FC and softmax outputs are written into concat slices; FC reads strided Split views', async (N) => {
    const g: Graph = {
      name: 'heads',
      inputs: [{ name: 'x', shape: [N, 5, 3, 8] }],
      outputs: ['cat2'],
      constants: new Map([c('w', [8, 1, 1, 8]), c('fa', [6, 8]), c('fb', [6, 8]), c('bb', [6])]),
      nodes: [
        { name: 'gp1', op: 'GlobalAvgPool', inputs: ['x'], outputs: ['p1'], attrs: {} },
        { name: 'pw', op: 'Conv2D', inputs: ['x', 'w'], outputs: ['q'], attrs: conv(1, 1, 1, 'relu') },
        { name: 'gp2', op: 'GlobalAvgPool', inputs: ['q'], outputs: ['p2'], attrs: {} },
        { name: 'cat', op: 'Concat', inputs: ['p1', 'p2'], outputs: ['cat'], attrs: {} },
        { name: 'split', op: 'Split', inputs: ['cat'], outputs: ['sa', 'sb'], attrs: { sizes: [8, 8] } },
        { name: 'fa', op: 'FullyConnected', inputs: ['sa', 'fa'], outputs: ['f1'], attrs: { act: 'linear' } },
        { name: 'fb', op: 'FullyConnected', inputs: ['sb', 'fb', 'bb'], outputs: ['f2'], attrs: { act: 'relu' } },
        { name: 'sm', op: 'Softmax', inputs: ['f1'], outputs: ['sm'], attrs: {} },
        { name: 'cat2', op: 'Concat', inputs: ['sm', 'f2'], outputs: ['cat2'], attrs: {} },
      ],
    };
    const x = randomArray(N * 5 * 3 * 8, rng(6));
    const s = await Session.create(g, { optimize: false });
    expect(s.plan.steps.filter((st) => st.op === 'Concat' || st.op === 'Split')).toEqual([]);
    expect(s.plan.tensors.get('sb')!.stride).toBe(16);
    const out = await s.run({ x: { data: x, shape: [N, 5, 3, 8] } });
    expect(out.cat2.shape).toEqual([N, 12]);
    // (the interpreter's Concat assumes 4-D tensors, so the [N,12] reference is assembled here)
    const ref = interpret(g, { x }, ['sm', 'f2']);
    const want = new Float32Array(N * 12);
    for (let n = 0; n < N; n++) {
      want.set(ref.get('sm')!.subarray(6 * n, 6 * n + 6), 12 * n);
      want.set(ref.get('f2')!.subarray(6 * n, 6 * n + 6), 12 * n + 6);
    }
    expectClose(out.cat2.data, want, `heads batch ${N}`, TOL);
  });

  it('Pad (not folded): borders copied from a zero buffer, interior in one copy or per row from a strided view', async () => {
    const pad = (name: string, x: string, pads: number[]) => ({ name, op: 'Pad', inputs: [x], outputs: [name], attrs: { pads } }) as never;
    const g: Graph = {
      name: 'pads',
      inputs: [{ name: 'x', shape: [2, 3, 4, 6] }],
      outputs: ['pb', 'px', 'p0', 'pr'],
      constants: new Map([c('w', [6, 1, 1, 6])]),
      nodes: [
        { name: 'pw', op: 'Conv2D', inputs: ['x', 'w'], outputs: ['t'], attrs: conv(1, 1, 1, 'linear') },
        { name: 'split', op: 'Split', inputs: ['t'], outputs: ['a', 'b'], attrs: { sizes: [2, 4] } },
        pad('pb', 'b', [1, 0, 2, 3]),
        pad('px', 'x', [0, 2, 1, 0]),
        pad('p0', 'x', [0, 0, 0, 0]),
        { name: 'row', op: 'MaxPool', inputs: ['x'], outputs: ['r1'], attrs: { kernel: [3, 1], strides: [3, 1], pads: [0, 0, 0, 0] } },
        pad('pr', 'r1', [2, 1, 0, 1]),
      ],
    };
    const s = await Session.create(g, { optimize: false });
    expect(s.plan.steps.every((st) => st.kernel.startsWith('f32-'))).toBe(true);
    for (const seed of [7, 8]) {
      const x = randomArray(2 * 3 * 4 * 6, rng(seed));
      const out = await s.run({ x: { data: x, shape: [2, 3, 4, 6] } });
      const ref = interpret(g, { x });
      for (const o of g.outputs) {
        expect(out[o].shape).toEqual(s.outputs[o]);
        // copies are exact; pb pads a conv output (SIMD vs reference rounding)
        if (o === 'pb') expectClose(out[o].data, ref.get(o)!, 'pb', TOL);
        else expect(Array.from(out[o].data)).toEqual(Array.from(ref.get(o)!));
      }
    }
  });
});
