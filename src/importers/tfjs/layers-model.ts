import { FormatError, ShapeError } from '../../errors.js';
import type { Graph } from '../../graph/ir.js';
import { GraphBuilder } from '../../zoo/builder.js';
import { KERAS_LAYERS, KerasConverter } from './keras-converter.js';
import { convertConvLayer } from './keras-layers-conv.js';
import { convertMiscLayer } from './keras-layers-misc.js';
import { parseKerasTopology, refName, type KerasLayer, type KerasRef, type KerasTopology } from './keras-topology.js';
import { resolveInputShape, type ImportOptions } from './graph-model.js';
import { decodeWeights, type WeightsGroup } from './weights.js';

export { KERAS_LAYERS, KERAS_ACTIVATIONS } from './keras-converter.js';

/** TF.js layers-model JSON (the parts sepconv reads). */
export interface TfjsLayersModelJson {
  format?: string;
  modelTopology: { model_config?: unknown; class_name?: string; config?: unknown };
  weightsManifest: WeightsGroup[];
}

/**
 * Converts a TF.js layers model (Keras topology + weights manifest) into the IR, keeping only the
 * layers that `outputs` (default: the model's output layers) need. Every layer's output tensor is
 * named after the layer (its k-th call, for a layer used more than once, `<layer>/<k>`); the model
 * input is the InputLayer's name. A requested output may also be written `<layer>/<layer>` (or with
 * a `:0` suffix), as TF.js names a layer's symbolic tensor; the graph then has a tensor of that name.
 */
export function importTfjsLayersModel(modelJson: TfjsLayersModelJson, weightBytes: Uint8Array, options: ImportOptions = {}): Graph {
  const source = options.source ?? 'model.json';
  if (typeof modelJson !== 'object' || modelJson === null || !Array.isArray(modelJson.weightsManifest)) {
    throw new FormatError(`${source}: not a TF.js layers model (needs modelTopology and weightsManifest)`);
  }
  const topo = parseKerasTopology(modelJson.modelTopology, source);
  const weights = decodeWeights(modelJson.weightsManifest, weightBytes, source);
  const outputs = options.outputs ?? topo.outputs.map(refName);
  if (outputs.length === 0) throw new FormatError(`${source}: no outputs to compute`);
  const refs = outputs.map((o) => resolveOutput(topo, o, source));

  // Topological order of the layer calls the outputs need (DFS from the outputs).
  const order: KerasRef[] = [];
  const state = new Map<string, number>();
  const visit = (r: KerasRef, from: string): void => {
    const layer = topo.layers.get(r.layer);
    if (!layer) throw new FormatError(`${source}: ${from} reads layer '${r.layer}', which is not a layer of the model`);
    if (r.tensor !== 0) throw new FormatError(`${source}: ${from} reads output ${r.tensor} of layer '${r.layer}' (${layer.class_name}), which has one output`);
    const key = refName(r);
    const s = state.get(key);
    if (s === 2) return;
    if (s === 1) throw new FormatError(`${source}: the model has a cycle through layer '${r.layer}'`);
    state.set(key, 1);
    if (layer.class_name !== 'InputLayer') for (const i of callInputs(topo, layer, r.node, source)) visit(i, `layer '${r.layer}'`);
    state.set(key, 2);
    order.push(r);
  };
  for (const r of refs) visit(r, 'the requested outputs');

  const b = new GraphBuilder(modelJson.format ?? 'tfjs-layers-model', 0);
  const cv = new KerasConverter(b, weights, source);
  const vals = new Map<string, string>();
  for (const r of order) {
    const layer = topo.layers.get(r.layer)!;
    const name = refName(r);
    if (layer.class_name === 'InputLayer') {
      vals.set(name, b.input(name, inputShape(cv, layer, options.inputShapes?.[name])));
      continue;
    }
    const xs = callInputs(topo, layer, r.node, source).map((i) => vals.get(refName(i))!);
    if (xs.length === 0) cv.formatError(layer, 'has no inputs');
    const t = convertConvLayer(cv, layer, xs, name) ?? convertMiscLayer(cv, layer, xs, name);
    if (t === undefined) {
      const nested = ['Model', 'Functional', 'Sequential'].includes(layer.class_name) ? ' (nested models are not supported; flatten the model before converting)' : '';
      return cv.unsupported(layer, `layer class '${layer.class_name}' is not supported${nested}`);
    }
    vals.set(name, t);
  }
  // Requested outputs keep their names: a layer whose value is another tensor (Dropout, linear
  // Activation) or an alias name gets a named copy.
  const outs = outputs.map((o, i) => {
    const t = vals.get(refName(refs[i]))!;
    return t === o ? t : b.node('Reshape', o, [t], { shape: b.shape(t) })[0];
  });
  return b.build(outs);
}

function callInputs(topo: KerasTopology, layer: KerasLayer, node: number, source: string): KerasRef[] {
  const calls = topo.calls.get(layer.name) ?? [];
  const c = calls[node];
  if (!c) throw new FormatError(`${source}: call ${node} of layer '${layer.name}' (${layer.class_name}) is read, but the layer has ${calls.length} inbound node(s)`);
  return c;
}

/** The layer call a requested output name means: `<layer>`, `<layer>/<k>`, `<layer>/<layer>`, each optionally with ':0'. */
function resolveOutput(topo: KerasTopology, name: string, source: string): KerasRef {
  const bare = name.replace(/:0$/, '');
  const parse = (s: string): KerasRef | undefined => {
    if (topo.layers.has(s)) return { layer: s, node: 0, tensor: 0 };
    const m = /^(.*)\/(\d+)$/.exec(s);
    if (m && topo.layers.has(m[1]) && Number(m[2]) < (topo.calls.get(m[1])?.length ?? 0)) return { layer: m[1], node: Number(m[2]), tensor: 0 };
    const slash = s.indexOf('/');
    if (slash > 0) {
      const [a, rest] = [s.slice(0, slash), s.slice(slash + 1)];
      if (topo.layers.has(a) && (rest === a || new RegExp(`^${a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}_\\d+$`).test(rest))) return { layer: a, node: 0, tensor: 0 };
    }
    return undefined;
  };
  const r = parse(name) ?? parse(bare);
  if (r) return r;
  const names = [...topo.layers.keys()];
  throw new ShapeError(`${source}: '${name}' is not a layer of this model; outputs are layer names such as ${names.slice(-10).join(', ')}`);
}

/** The InputLayer's batch_input_shape; unknown dimensions (null) from `given` (see resolveInputShape; batch defaults to 1). */
function inputShape(cv: KerasConverter, l: KerasLayer, given: number[] | undefined): number[] {
  const c = l.config;
  const raw = c.batch_input_shape ?? c.batch_shape ?? (Array.isArray(c.input_shape) ? [null, ...c.input_shape] : undefined);
  if (!Array.isArray(raw) || raw.length < 1 || !raw.every((d) => d === null || d === -1 || (Number.isInteger(d) && d >= 1))) {
    cv.formatError(l, `batch_input_shape ${JSON.stringify(raw)} is not a list of positive integers or nulls`);
  }
  if (raw.length > 4) cv.unsupported(l, `input rank ${raw.length} (sepconv inputs have rank 1 to 4, images NHWC)`);
  return resolveInputShape(cv, l, raw.map((d) => (d === null ? -1 : (d as number))), given);
}
