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
    await expect(s.run({ input: { data: x, shape: [1, 128, 128, 3] } })).rejects.toThrow(/released/);
  });
});
