import { decodeFloat16 } from '../format/float16.js';
import type { Dtype } from '../format/spec.js';
import { encodeWeightFloat16, isExactUint8 } from '../format/writer.js';
import type { Graph } from '../graph/ir.js';
import { sizeOf } from '../graph/ir.js';
import { mulberry32 } from '../util/random.js';
import { Session } from './session.js';

export interface Float16Plan {
  /** Storage dtype per weight constant (rank >= 2); rank-0/1 constants stay float32. */
  dtypes: Map<string, Dtype>;
  /** Weights stored float32 because float16 would break the tolerance. */
  keptFloat32: string[];
  /** Output error of the planned storage on the probe inputs: max|Δ| / max|float32 output|. */
  error: number;
  /** The same with every candidate weight in float16. */
  allFloat16Error: number;
}

/**
 * Chooses float16 storage for a graph's weights while keeping its outputs within `tolerance`
 * (max|Δ| / max|y| against float32) on seeded random probe inputs in [0, 1) and [-1, 1):
 * weights that arrived uint8-quantized and reproduce exactly stay uint8 (smaller, lossless);
 * the rest become float16 (error-feedback rounding, as the writer stores them) unless that moves
 * the outputs too far, in which case the weights whose rounding costs the most error per byte
 * stay float32 (the fewest needed, found by bisection over that order). `tolerance` Infinity:
 * every weight float16.
 */
export async function planFloat16(graph: Graph, options: { tolerance: number; onProgress?: (done: number, total: number) => void }): Promise<Float16Plan> {
  const dwWeights = new Set(graph.nodes.filter((n) => n.op === 'DepthwiseConv2D').map((n) => n.inputs[1]));
  const dtypes = new Map<string, Dtype>();
  const rounded = new Map<string, Float32Array>();
  for (const c of graph.constants.values()) {
    if (c.shape.length < 2) continue;
    if (c.affine && isExactUint8(c.data, c.affine)) dtypes.set(c.name, 'uint8');
    else {
      dtypes.set(c.name, 'float16');
      const r = decodeFloat16(encodeWeightFloat16(c, dwWeights.has(c.name)));
      if (r.some((v, i) => v !== c.data[i])) rounded.set(c.name, r); // float16 already: exact
    }
  }
  const candidates = [...rounded.keys()];
  if (!Number.isFinite(options.tolerance) || candidates.length === 0) {
    return { dtypes, keptFloat32: [], error: NaN, allFloat16Error: NaN };
  }
  // probes and float32 references
  const probes = graph.inputs.length === 1 ? [[0, 1], [-1, 1]].map(([lo, hi], k) => {
    const r = mulberry32(0x5eed + k);
    return Float32Array.from({ length: sizeOf(graph.inputs[0].shape) }, () => lo + (hi - lo) * r());
  }) : [];
  if (probes.length === 0) return { dtypes, keptFloat32: [], error: NaN, allFloat16Error: NaN };
  const input = graph.inputs[0];
  let runs = 0;
  const budget = candidates.length + Math.ceil(Math.log2(candidates.length + 1)) + 3;
  const outputsOf = async (g: Graph): Promise<Float32Array[][]> => {
    const s = await Session.create(g);
    const out: Float32Array[][] = [];
    for (const x of probes) {
      const o = await s.run({ [input.name]: { data: x, shape: input.shape } });
      out.push(graph.outputs.map((name) => o[name].data));
    }
    s.release();
    options.onProgress?.(++runs, budget);
    return out;
  };
  const ref = await outputsOf(graph);
  const errorOf = async (float16: ReadonlySet<string>): Promise<number> => {
    const constants = new Map(graph.constants);
    for (const name of float16) constants.set(name, { ...graph.constants.get(name)!, data: rounded.get(name)! });
    const got = await outputsOf({ ...graph, constants });
    let worst = 0;
    got.forEach((outs, p) => outs.forEach((y, j) => {
      const r = ref[p][j];
      let d = 0;
      let m = 0;
      for (let i = 0; i < r.length; i++) {
        d = Math.max(d, Math.abs(y[i] - r[i]));
        m = Math.max(m, Math.abs(r[i]));
      }
      worst = Math.max(worst, m > 0 ? d / m : d);
    }));
    return worst;
  };
  const all = await errorOf(new Set(candidates));
  if (all <= options.tolerance) return { dtypes, keptFloat32: [], error: all, allFloat16Error: all };
  // error per byte saved of each weight alone, most harmful first
  const harm: [string, number][] = [];
  for (const name of candidates) harm.push([name, (await errorOf(new Set([name]))) / graph.constants.get(name)!.data.length]);
  harm.sort((a, b) => b[1] - a[1]);
  const order = harm.map(([name]) => name);
  // smallest k such that keeping order[0..k) float32 meets the tolerance (k = all always does)
  let lo = 1;
  let hi = order.length;
  let best = { k: order.length, error: 0 };
  while (lo <= hi) {
    const k = (lo + hi) >> 1;
    const e = await errorOf(new Set(order.slice(k)));
    if (e <= options.tolerance) {
      best = { k, error: e };
      hi = k - 1;
    } else lo = k + 1;
  }
  const keptFloat32 = order.slice(0, best.k);
  for (const name of keptFloat32) dtypes.set(name, 'float32');
  options.onProgress?.(budget, budget);
  return { dtypes, keptFloat32, error: best.error, allFloat16Error: all };
}
