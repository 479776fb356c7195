import { FormatError } from '../../errors.js';

/**
 * The Keras model topology of a TF.js layers model (`modelTopology.model_config`), normalised:
 * functional (`Model` / `Functional`) and `Sequential` configs both become a list of layers, each
 * with the tensors every call of the layer reads. A tensor is (layer, node index, tensor index) as
 * in Keras; node k of a layer is its k-th call (an InputLayer's node 0 is the input itself).
 */

/** One layer of a Keras config. */
export interface KerasLayer {
  class_name: string;
  name: string;
  config: Record<string, unknown>;
}

/** A Keras tensor: output `tensor` of call `node` of layer `layer`. */
export interface KerasRef {
  layer: string;
  node: number;
  tensor: number;
}

export interface KerasTopology {
  /** Layers by name, in config order. */
  layers: Map<string, KerasLayer>;
  /** Inputs of each call of each layer: calls.get(layer)[node] = input tensors. */
  calls: Map<string, KerasRef[][]>;
  inputs: KerasRef[];
  outputs: KerasRef[];
}

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The name a Keras tensor has in the IR: the layer name for its first call, `<layer>/<k>` for call k. */
export const refName = (r: KerasRef): string => (r.node === 0 ? r.layer : `${r.layer}/${r.node}`);

/** Parses `modelTopology` (with or without its `model_config` wrapper). */
export function parseKerasTopology(topology: unknown, source: string): KerasTopology {
  const fail = (what: string): never => {
    throw new FormatError(`${source}: ${what}`);
  };
  if (!isObj(topology)) fail('modelTopology is missing or not an object');
  const topo = topology as Record<string, unknown>;
  const mc = isObj(topo.model_config) ? topo.model_config : topo;
  const cls = mc.class_name;
  if (typeof cls !== 'string') fail('modelTopology.model_config has no class_name (expected Model, Functional or Sequential)');
  const cfg = mc.config;
  if (cls === 'Sequential') return sequential(Array.isArray(cfg) ? cfg : isObj(cfg) ? cfg.layers : undefined, source);
  if (cls !== 'Model' && cls !== 'Functional') fail(`model_config.class_name '${String(cls)}' is not a Keras model class (expected Model, Functional or Sequential)`);
  if (!isObj(cfg) || !Array.isArray(cfg.layers)) fail(`model_config.config.layers is missing`);
  const c = cfg as Record<string, unknown>;
  const layers = new Map<string, KerasLayer>();
  const calls = new Map<string, KerasRef[][]>();
  for (const [i, l] of (c.layers as unknown[]).entries()) {
    const layer = checkLayer(l, i, source);
    if (layers.has(layer.name)) fail(`two layers are named '${layer.name}'`);
    layers.set(layer.name, layer);
    const nodes = (l as { inbound_nodes?: unknown }).inbound_nodes ?? [];
    if (!Array.isArray(nodes)) fail(`layer '${layer.name}': inbound_nodes is not an array`);
    calls.set(layer.name, (nodes as unknown[]).map((n, k) => parseNode(n, `layer '${layer.name}' inbound node ${k}`, source)));
  }
  const io = (v: unknown, what: string): KerasRef[] => {
    if (!Array.isArray(v) || v.length === 0) return fail(`model_config.config.${what} is missing or empty`);
    // Keras 3 writes a single tensor as [name, node, tensor] rather than [[name, node, tensor]]
    const list = typeof v[0] === 'string' ? [v] : v;
    return list.map((r) => historyRef(r, `${what} entry ${JSON.stringify(r)}`, source));
  };
  const topologyOut: KerasTopology = { layers, calls, inputs: io(c.input_layers, 'input_layers'), outputs: io(c.output_layers, 'output_layers') };
  for (const r of [...topologyOut.inputs, ...topologyOut.outputs]) {
    if (!layers.has(r.layer)) fail(`model input / output '${r.layer}' is not a layer of the model`);
  }
  return topologyOut;
}

function checkLayer(l: unknown, i: number, source: string): KerasLayer {
  if (!isObj(l) || typeof l.class_name !== 'string') throw new FormatError(`${source}: layer ${i} has no class_name`);
  const config = isObj(l.config) ? l.config : {};
  const name = typeof l.name === 'string' ? l.name : typeof config.name === 'string' ? config.name : undefined;
  if (!name) throw new FormatError(`${source}: layer ${i} (${l.class_name}) has no name`);
  return { class_name: l.class_name, name, config };
}

/** [layer, node, tensor(, kwargs)] as Keras 2 writes it. */
function historyRef(r: unknown, what: string, source: string): KerasRef {
  if (!Array.isArray(r) || typeof r[0] !== 'string' || !Number.isInteger(r[1] ?? 0) || !Number.isInteger(r[2] ?? 0)) {
    throw new FormatError(`${source}: ${what} is not a [layer name, node index, tensor index] reference`);
  }
  return { layer: r[0], node: Number(r[1] ?? 0), tensor: Number(r[2] ?? 0) };
}

/** One inbound node: Keras 2 `[[layer, node, tensor, kwargs], ...]` or Keras 3 `{args: [...keras tensors], kwargs}`. */
function parseNode(n: unknown, what: string, source: string): KerasRef[] {
  if (Array.isArray(n)) return n.map((r, j) => historyRef(r, `${what} input ${j}`, source));
  if (isObj(n) && Array.isArray(n.args)) {
    const refs: KerasRef[] = [];
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (isObj(v) && v.class_name === '__keras_tensor__' && isObj(v.config)) refs.push(historyRef(v.config.keras_history, `${what} keras_history`, source));
    };
    walk(n.args);
    return refs;
  }
  throw new FormatError(`${source}: ${what} is neither a list of [layer, node, tensor] references nor a {args, kwargs} object`);
}

/** A Sequential model: each layer reads the previous one; the input is the first layer's InputLayer or its batch_input_shape. */
function sequential(list: unknown, source: string): KerasTopology {
  if (!Array.isArray(list) || list.length === 0) throw new FormatError(`${source}: the Sequential model has no layers`);
  const layers = new Map<string, KerasLayer>();
  const calls = new Map<string, KerasRef[][]>();
  const all = list.map((l, i) => checkLayer(l, i, source));
  let prev: string;
  if (all[0].class_name === 'InputLayer') {
    const inp = all.shift()!;
    layers.set(inp.name, inp);
    calls.set(inp.name, []);
    prev = inp.name;
  } else {
    // TF.js names the implicit input '<first layer>_input'
    const first = all[0].config;
    prev = `${all[0].name}_input`;
    const shape = first.batch_input_shape ?? first.batch_shape ?? (Array.isArray(first.input_shape) ? [null, ...first.input_shape] : undefined);
    if (!shape) throw new FormatError(`${source}: the first layer of the Sequential model ('${all[0].name}') has no batch_input_shape`);
    layers.set(prev, { class_name: 'InputLayer', name: prev, config: { batch_input_shape: shape } });
    calls.set(prev, []);
  }
  const input = prev;
  for (const l of all) {
    if (layers.has(l.name)) throw new FormatError(`${source}: two layers are named '${l.name}'`);
    layers.set(l.name, l);
    calls.set(l.name, [[{ layer: prev, node: 0, tensor: 0 }]]);
    prev = l.name;
  }
  return { layers, calls, inputs: [{ layer: input, node: 0, tensor: 0 }], outputs: [{ layer: prev, node: 0, tensor: 0 }] };
}
