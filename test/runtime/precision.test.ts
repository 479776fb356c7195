import { describe, expect, it } from 'vitest';
import { decodeFloat16 } from '../../src/format/float16.js';
import { encodeWeightFloat16 } from '../../src/format/writer.js';
import type { Graph } from '../../src/graph/ir.js';
import { optimizeGraph } from '../../src/graph/passes/index.js';
import { planFloat16 } from '../../src/runtime/precision.js';
import { Session } from '../../src/runtime/index.js';
import { buildZooModel } from '../../src/zoo/index.js';
import { randomArray, rng } from '../helpers/kernels.js';

/** max|Δ| / max|ref| of the graph's first output against float32, on an input the planner never saw. */
async function errorVsFloat32(g: Graph, ref: Graph, x: Float32Array): Promise<number> {
  const [a, b] = await Promise.all([Session.create(g), Session.create(ref)]);
  const feed = { [g.inputs[0].name]: { data: x, shape: g.inputs[0].shape } };
  const [ya, yb] = [(await a.run(feed))[g.outputs[0]].data, (await b.run(feed))[g.outputs[0]].data];
  let d = 0;
  let m = 0;
  for (let i = 0; i < yb.length; i++) {
    d = Math.max(d, Math.abs(ya[i] - yb[i]));
    m = Math.max(m, Math.abs(yb[i]));
  }
  return d / m;
}

describe('planFloat16', () => {
  // a small MobileNetV2 with its BatchNorms unfolded (as convert --fp16 writes it), logits as output
  const zoo = buildZooModel('mobilenet_v2', { width: 0.5, resolution: 96 });
  const g0 = optimizeGraph({ ...zoo, outputs: ['logits'] }, { keep: ['logits'], keepWeights: true });
  const x = randomArray(96 * 96 * 3, rng(99), 0, 1);

  it('float16 with bias correction moves the outputs less than plain float16 rounding, on unseen inputs', async () => {
    const plan = await planFloat16(g0, { tolerance: Infinity });
    expect([...plan.dtypes.values()].every((d) => d === 'float16')).toBe(true);
    // plain: the same rounding, no bias correction
    const dw = new Set(g0.nodes.filter((n) => n.op === 'DepthwiseConv2D').map((n) => n.inputs[1]));
    const plain = { ...g0, constants: new Map([...g0.constants].map(([k, c]) => [k, c.shape.length >= 2 ? { ...c, data: decodeFloat16(encodeWeightFloat16(c, dw.has(k))) } : c])) };
    const [corrected, uncorrected] = [await errorVsFloat32(plan.graph, g0, x), await errorVsFloat32(plain, g0, x)];
    expect(corrected).toBeLessThan(uncorrected);
    // the weights written are exactly the float16 ones; only biases (float32) changed
    for (const [k, c] of g0.constants) if (c.shape.length >= 2) expect(plan.graph.constants.get(k)!.data).toEqual(plain.constants.get(k)!.data);
  }, 60_000);

  it('keeps the costliest weights float32 when float16 everywhere breaks the tolerance, and meets it', async () => {
    const loose = await planFloat16(g0, { tolerance: Infinity });
    const all = await errorVsFloat32(loose.graph, g0, x);
    const tol = all / 4;
    const plan = await planFloat16(g0, { tolerance: tol });
    expect(plan.keptFloat32.length).toBeGreaterThan(0);
    expect(plan.error).toBeLessThanOrEqual(tol);
    for (const k of plan.keptFloat32) {
      expect(plan.dtypes.get(k)).toBe('float32');
      expect(plan.graph.constants.get(k)!.data).toEqual(g0.constants.get(k)!.data);
    }
  }, 60_000);

  it('weights already in float16, or uint8-quantized ones, are stored as they are, with no bias change', async () => {
    const g = { ...g0, constants: new Map(g0.constants) };
    const [a, b] = [...g.constants.values()].filter((c) => c.shape.length >= 2).slice(0, 2);
    g.constants.set(a.name, { ...a, data: decodeFloat16(encodeWeightFloat16(a, false, 'nearest')) });
    const affine = { scale: 0.01, min: -1.28 };
    g.constants.set(b.name, { ...b, data: Float32Array.from(b.data, (_, i) => (i % 256) * affine.scale + affine.min), affine });
    const plan = await planFloat16(g, { tolerance: Infinity });
    expect(plan.dtypes.get(b.name)).toBe('uint8');
    expect(plan.graph.constants.get(a.name)!.data).toEqual(g.constants.get(a.name)!.data);
    expect(plan.graph.constants.get(b.name)!.data).toEqual(g.constants.get(b.name)!.data);
  }, 60_000);
});
