import { FormatError, ShapeError } from '../../errors.js';
import type { Graph } from '../../graph/ir.js';
import { GraphBuilder } from '../../zoo/builder.js';
import { nodeName, TfConverter, valueName, type TfNode, type Value } from './tf-converter.js';
import { convertMath, MATH_OPS } from './tf-ops-math.js';
import { convertNn, NN_OPS } from './tf-ops-nn.js';
import { convertShape, SHAPE_OPS } from './tf-ops-shape.js';
import { decodeWeights, type WeightsGroup } from './weights.js';

/** TF.js graph-model JSON (the parts sepconv reads). */
export interface TfjsModelJson {
  format?: string;
  modelTopology: { node: TfNode[] };
  weightsManifest: WeightsGroup[];
  signature?: { inputs?: Record<string, unknown>; outputs?: Record<string, unknown> };
}

/** Every TF op the graph-model importer converts. */
export const TFJS_GRAPH_OPS: readonly string[] = ['Placeholder', 'Const', ...NN_OPS, ...MATH_OPS, ...SHAPE_OPS];

/** Options of every importer. */
export interface ImportOptions {
  /** Tensors to compute (default: the model's outputs); nothing else is converted. */
  outputs?: string[];
  /** Name used in error messages (file name / URL). */
  source?: string;
  /**
   * Shapes of inputs whose model shape has unknown dimensions (e.g. [-1,-1,-1,3]); an unknown
   * batch alone defaults to 1.
   */
  inputShapes?: Record<string, number[]>;
}

/**
 * Converts a TF.js graph model (model.json + its concatenated weight shards) into the IR,
 * keeping only what `outputs` (default: the signature's outputs) need: ops outside that
 * subgraph are never looked at. Tensor names are the TF node names.
 */
export function importTfjsGraphModel(modelJson: TfjsModelJson, weightBytes: Uint8Array, options: ImportOptions = {}): Graph {
  const source = options.source ?? 'model.json';
  const nodes = modelJson?.modelTopology?.node;
  if (!Array.isArray(nodes) || !Array.isArray(modelJson.weightsManifest)) {
    throw new FormatError(`${source}: not a TF.js graph model (needs modelTopology.node and weightsManifest)`);
  }
  const weights = decodeWeights(modelJson.weightsManifest, weightBytes, source);
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const sigOut = Object.keys(modelJson.signature?.outputs ?? {}).map(valueName);
  // Default outputs: the signature's, else the graph's sinks (nodes nobody reads).
  const read = new Set(nodes.flatMap((n) => (n.input ?? []).map(nodeName)));
  const sinks = nodes.filter((n) => !read.has(n.name) && n.op !== 'Const' && n.op !== 'NoOp').map((n) => n.name);
  const outputs = options.outputs ?? (sigOut.length ? sigOut : sinks);
  if (outputs.length === 0) throw new FormatError(`${source}: the model has no signature outputs and no sink nodes; name the tensors to compute with the 'outputs' option`);
  for (const o of outputs) {
    if (!byName.has(nodeName(o))) throw new ShapeError(`${source}: '${o}' is not a node of this model; available nodes include ${nodes.slice(-10).map((n) => n.name).join(', ')}`);
  }
  // Topological order of what the outputs need (DFS; model.json order is not guaranteed).
  const order: TfNode[] = [];
  const state = new Map<string, number>();
  const visit = (name: string): void => {
    const s = state.get(name);
    if (s === 2) return;
    if (s === 1) throw new FormatError(`${source}: the graph has a cycle through '${name}'`);
    const n = byName.get(name);
    if (!n) throw new FormatError(`${source}: a node reads '${name}', which is not a node of the model`);
    state.set(name, 1);
    for (const i of n.input ?? []) if (!i.startsWith('^')) visit(nodeName(i));
    state.set(name, 2);
    order.push(n);
  };
  for (const o of outputs) visit(nodeName(o));

  const b = new GraphBuilder(modelJson.format ?? 'tfjs-graph-model', 0);
  const vals = new Map<string, Value>();
  const cv = new TfConverter(b, vals, weights, source, TFJS_GRAPH_OPS);
  for (const n of order) convert(cv, n, options.inputShapes ?? {});
  // Requested outputs keep their TF names: a node output held under another IR name (behind an
  // Identity, a Split piece) is renamed; a graph input or a tensor requested twice gets a copy.
  const ir = outputs.map((o) => {
    const v = vals.get(o);
    if (!v) throw new FormatError(`${source}: graph output '${o}' was not produced`);
    return cv.materialize(v, o, { name: o, op: 'Output', input: [o] });
  });
  const renames = new Map<string, string>();
  const producedBy = new Set(b.nodes.flatMap((n) => n.outputs));
  const outs = outputs.map((o, i) => {
    const t = ir[i];
    if (t === o) return t;
    if (producedBy.has(t) && !renames.has(t) && !ir.includes(o) && ir.filter((u) => u === t).length === 1 && !outputs.includes(t)) {
      renames.set(t, o);
      return t;
    }
    return b.node('Reshape', o, [t], { shape: b.shape(t) })[0];
  });
  const g = b.build(outs);
  if (renames.size === 0) return g;
  const rn = (t: string) => renames.get(t) ?? t;
  return { ...g, outputs: g.outputs.map(rn), nodes: g.nodes.map((n) => ({ ...n, inputs: n.inputs.map(rn), outputs: n.outputs.map(rn) })) };
}

function convert(cv: TfConverter, n: TfNode, inputShapes: Record<string, number[]>): void {
  switch (n.op) {
    case 'Const': {
      const w = cv.weights.get(n.name);
      if (!w) throw new FormatError(`${cv.source}: constant '${n.name}' has no entry in the weights manifest`);
      cv.setConst(n, w);
      return;
    }
    case 'Placeholder': {
      const dims = (n.attr?.shape?.shape?.dim ?? []).map((d) => Number(d.size ?? -1));
      if (dims.length < 1 || dims.length > 4) cv.unsupported(n, `input rank ${dims.length} (sepconv inputs have rank 1 to 4, images NHWC)`);
      cv.set(n, cv.b.input(n.name, resolveInputShape(cv, n, dims, inputShapes[n.name])));
      return;
    }
    default:
      if (convertNn(cv, n) || convertMath(cv, n) || convertShape(cv, n)) return;
      cv.unsupported(n, 'this op is not supported');
  }
}

/** The shape of a Placeholder: the model's, with unknown dimensions from `given` (batch defaults to 1). */
export function resolveInputShape(cv: { source: string }, n: { name: string }, dims: number[], given: number[] | undefined): number[] {
  const fmt = (s: number[]) => `[${s.join(',')}]`;
  if (given) {
    const ok = given.length === dims.length && given.every((d, i) => Number.isInteger(d) && d > 0 && (dims[i] < 0 || dims[i] === d));
    if (!ok) throw new ShapeError(`${cv.source}: inputShapes['${n.name}'] = ${fmt(given)} does not fit the model's input shape ${fmt(dims)} (-1 = any)`);
    return [...given];
  }
  if (dims.slice(1).some((d) => d < 0)) {
    throw new ShapeError(
      `${cv.source}: input '${n.name}' has unknown dimensions ${fmt(dims)}; give its shape with the inputShapes option, e.g. { inputShapes: { '${n.name}': ${fmt(dims.map((d, i) => (d >= 0 ? d : i === 0 ? 1 : 224)))} } }`,
    );
  }
  return dims.map((d) => (d < 0 ? 1 : d));
}
