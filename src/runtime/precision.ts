import { decodeFloat16 } from '../format/float16.js';
import type { Dtype } from '../format/spec.js';
import { encodeWeightFloat16, isExactUint8 } from '../format/writer.js';
import type { Graph, Node } from '../graph/ir.js';
import { sizeOf } from '../graph/ir.js';
import { mulberry32 } from '../util/random.js';
import { Session } from './session.js';

export interface Float16Plan {
  /**
   * The graph to write: for every weight stored float16, the bias of the layer that reads it is
   * corrected by the rounding's mean effect on the probes (see planFloat16).
   */
  graph: Graph;
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
  const probes = graph.inputs.length === 1 ? [[0, 1], [-1, 1]].map(([lo, hi], k) => {
    const r = mulberry32(0x5eed + k);
    return Float32Array.from({ length: sizeOf(graph.inputs[0].shape) }, () => lo + (hi - lo) * r());
  }) : [];
  if (candidates.length === 0 || probes.length === 0) {
    return { graph: withFloat16(graph, rounded, new Map(), new Set(candidates)), dtypes, keptFloat32: [], error: NaN, allFloat16Error: NaN };
  }
  const input = graph.inputs[0];
  const corrections = await biasCorrections(graph, rounded, probes);
  const build = (float16: ReadonlySet<string>) => withFloat16(graph, rounded, corrections, float16);
  if (!Number.isFinite(options.tolerance)) {
    return { graph: build(new Set(candidates)), dtypes, keptFloat32: [], error: NaN, allFloat16Error: NaN };
  }
  let runs = 0;
  const budget = candidates.length + Math.ceil(Math.log2(candidates.length + 1)) + 3;
  const outputsOf = async (g: Graph): Promise<Float32Array[][]> => {
    const s = await Session.create(g, { layout: 'nhwc' });
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
    const got = await outputsOf(build(float16));
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
  if (all <= options.tolerance) return { graph: build(new Set(candidates)), dtypes, keptFloat32: [], error: all, allFloat16Error: all };
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
  return { graph: build(new Set(order.slice(best.k))), dtypes, keptFloat32, error: best.error, allFloat16Error: all };
}

const WEIGHTED = new Set(['Conv2D', 'DepthwiseConv2D', 'FullyConnected']);

interface BiasCorrection {
  node: string;
  /** the corrected bias: old bias (or 0) minus the rounding error's mean effect */
  bias: Float32Array;
}

/**
 * Bias correction for float16 weights: the rounding error dW of a layer adds dW . x to every
 * output; its mean part dW . E[x] (which inputs of one sign, after ReLU, make large) is removed
 * from the layer's bias, with E[x] the per-channel mean of the layer's input over the probes.
 * Only for weights read by exactly one conv / depthwise / FC node (as its weight).
 */
async function biasCorrections(graph: Graph, rounded: Map<string, Float32Array>, probes: Float32Array[]): Promise<Map<string, BiasCorrection>> {
  const readers = new Map<string, Node[]>();
  for (const n of graph.nodes) for (const t of n.inputs) if (rounded.has(t)) readers.set(t, [...(readers.get(t) ?? []), n]);
  const targets = [...readers].filter(([w, ns]) => ns.length === 1 && WEIGHTED.has(ns[0].op) && ns[0].inputs[1] === w).map(([w, ns]) => [w, ns[0]] as const);
  if (targets.length === 0) return new Map();
  const input = graph.inputs[0];
  const tensors = [...new Set(targets.map(([, n]) => n.inputs[0]))];
  const s = await Session.create(graph, { outputs: [...new Set([...tensors.filter((t) => t !== input.name), ...graph.outputs])], layout: 'nhwc' });
  const sums = new Map<string, Float64Array>();
  const counts = new Map<string, number>();
  for (const x of probes) {
    const o = await s.run({ [input.name]: { data: x, shape: input.shape } });
    for (const t of tensors) {
      const d = t === input.name ? x : o[t].data;
      const shape = t === input.name ? input.shape : o[t].shape;
      const C = shape[shape.length - 1];
      const acc = sums.get(t) ?? new Float64Array(C);
      for (let i = 0; i < d.length; i++) acc[i % C] += d[i];
      sums.set(t, acc);
      counts.set(t, (counts.get(t) ?? 0) + d.length / C);
    }
  }
  s.release();
  const out = new Map<string, BiasCorrection>();
  for (const [w, n] of targets) {
    const k = graph.constants.get(w)!;
    const r = rounded.get(w)!;
    const mean = Float64Array.from(sums.get(n.inputs[0])!, (v) => v / counts.get(n.inputs[0])!);
    const depthwise = n.op === 'DepthwiseConv2D';
    const cout = depthwise ? k.shape[k.shape.length - 1] : k.shape[0];
    const corr = new Float64Array(cout);
    if (depthwise) for (let i = 0; i < r.length; i++) corr[i % cout] += (r[i] - k.data[i]) * mean[i % cout];
    else {
      // [cout][...][cinG] (FC: [n][k]); input channel of (o, j) = group(o) * cinG + j % cinG
      const len = r.length / cout;
      const cinG = k.shape[k.shape.length - 1];
      const groups = mean.length / cinG;
      if (!Number.isInteger(groups) || groups < 1) continue;
      for (let o = 0; o < cout; o++) {
        const g = Math.floor(o / (cout / groups)) * cinG;
        for (let j = 0; j < len; j++) corr[o] += (r[o * len + j] - k.data[o * len + j]) * mean[g + (j % cinG)];
      }
    }
    const old = n.inputs[2] ? graph.constants.get(n.inputs[2])?.data : undefined;
    if (n.inputs[2] && !old) continue;
    out.set(w, { node: n.name, bias: Float32Array.from({ length: cout }, (_, i) => (old ? old[i] : 0) - corr[i]) });
  }
  return out;
}

/** The graph with the weights in `float16` rounded and their layers' biases corrected. */
function withFloat16(graph: Graph, rounded: Map<string, Float32Array>, corrections: Map<string, BiasCorrection>, float16: ReadonlySet<string>): Graph {
  const constants = new Map(graph.constants);
  const biasOf = new Map<string, string>();
  for (const name of float16) {
    const r = rounded.get(name);
    if (r) constants.set(name, { ...graph.constants.get(name)!, data: r });
    const c = corrections.get(name);
    if (!c) continue;
    let b = `${c.node}/bias_float16_corrected`;
    for (let i = 1; constants.has(b); i++) b = `${c.node}/bias_float16_corrected_${i}`;
    constants.set(b, { name: b, shape: [c.bias.length], data: c.bias });
    biasOf.set(c.node, b);
  }
  if (biasOf.size === 0) return { ...graph, constants };
  const nodes = graph.nodes.map((n) => {
    const b = biasOf.get(n.name);
    if (!b) return n;
    const inputs = [...n.inputs];
    inputs[2] = b;
    return { ...n, inputs };
  });
  return { ...graph, nodes, constants };
}
