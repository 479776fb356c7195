import { FormatError, SepconvError, ShapeError, UnsupportedOpError } from '../../errors.js';
import type { Graph } from '../../graph/ir.js';
import { GraphBuilder } from '../../zoo/builder.js';
import { resolveInputShape, type ImportOptions } from '../tfjs/graph-model.js';
import { OnnxConverter, fmt, type Value } from './converter.js';
import { convertElem, ELEM_OPS } from './ops-elem.js';
import { convertNn, NN_OPS } from './ops-nn.js';
import { convertResize, RESIZE_OPS } from './ops-resize.js';
import { convertShape, SHAPE_OPS } from './ops-shape.js';
import { decodeModel, toNum, type OnnxNodeProto, type OnnxTensorProto } from './proto.js';
import { decodeTensor, dtypeName } from './tensor.js';

/** Every ONNX op (default domain) the importer converts. */
export const ONNX_OPS: readonly string[] = [...NN_OPS, ...ELEM_OPS, ...SHAPE_OPS, ...RESIZE_OPS];

/**
 * Options of importOnnx. `inputShapes` are ONNX (NCHW) shapes for inputs with symbolic
 * dimensions; `outputs` are ONNX tensor names (default: the graph outputs).
 */
export type OnnxImportOptions = ImportOptions;

/**
 * Converts an ONNX model (ModelProto bytes) into the IR. Only what the requested outputs need is
 * converted: nodes outside that subgraph are never looked at. NCHW becomes NHWC here: 4-D inputs,
 * outputs and activations are NHWC in the IR, weights are converted to the IR layouts, and the
 * graph is marked `layout: 'NCHW'` so that sessions feed and return NCHW tensors by default.
 * IR tensors keep the ONNX tensor names.
 */
export function importOnnx(bytes: Uint8Array, options: OnnxImportOptions = {}): Graph {
  const source = options.source ?? 'ONNX model';
  const model = decodeModel(bytes, source);
  const g = model.graph!;
  const opsets = model.opset_import ?? [];
  const main = opsets.find((o) => !o.domain || o.domain === 'ai.onnx');
  const opset = main ? toNum(main.version) : 1;
  const nodes = g.node ?? [];

  const inits = new Map<string, OnnxTensorProto>();
  for (const t of g.initializer ?? []) if (t.name) inits.set(t.name, t);
  const inputs = (g.input ?? []).filter((i) => i.name && !inits.has(i.name));
  const inputNames = new Set(inputs.map((i) => i.name!));
  const producer = new Map<string, OnnxNodeProto>();
  for (const n of nodes) for (const o of n.output ?? []) if (o) producer.set(o, n);

  const outputs = options.outputs ?? (g.output ?? []).map((o) => o.name ?? '');
  if (outputs.length === 0) throw new FormatError(`${source}: the graph has no outputs; name the tensors to compute with the 'outputs' option`);
  for (const o of outputs) {
    if (!producer.has(o) && !inputNames.has(o) && !inits.has(o)) {
      const known = [...producer.keys()];
      throw new ShapeError(`${source}: '${o}' is not a tensor of this model; its tensors include ${known.slice(-10).join(', ')}`);
    }
  }

  // Topological order of what the outputs need (DFS from the outputs).
  const order: OnnxNodeProto[] = [];
  const state = new Map<OnnxNodeProto, number>();
  const needInputs = new Set<string>();
  const needInits = new Set<string>();
  const visit = (name: string, reader?: OnnxNodeProto): void => {
    if (!name) return;
    if (inputNames.has(name)) return void needInputs.add(name);
    if (inits.has(name)) return void needInits.add(name);
    const n = producer.get(name);
    if (!n) {
      const by = reader ? `node '${reader.name || reader.output?.[0]}' (${reader.op_type}) reads '${name}'` : `'${name}'`;
      throw new FormatError(`${source}: ${by}, which is not a graph input, an initializer or a node output (a missing initializer?)`);
    }
    const s = state.get(n);
    if (s === 2) return;
    if (s === 1) throw new FormatError(`${source}: the graph has a cycle through '${name}'`);
    state.set(n, 1);
    for (const i of n.input ?? []) visit(i, n);
    state.set(n, 2);
    order.push(n);
  };
  for (const o of outputs) visit(o);

  const b = new GraphBuilder(g.name || 'onnx', 0);
  const vals = new Map<string, Value>();
  const cv = new OnnxConverter(b, vals, source, opset, ONNX_OPS);
  for (const i of inputs) {
    if (!needInputs.has(i.name!)) continue;
    const tt = i.type?.tensor_type;
    if (!tt) throw new UnsupportedOpError(`${source}: input '${i.name}' is not a tensor (sepconv inputs are float32 tensors)`);
    if (tt.elem_type !== 1) throw new UnsupportedOpError(`${source}: input '${i.name}' has element type ${dtypeName(tt.elem_type)} (sepconv inputs are FLOAT tensors)`);
    const dims = (tt.shape?.dim ?? []).map((d) => (d.dim_value !== undefined && d.dim_value !== null && toNum(d.dim_value) > 0 ? toNum(d.dim_value) : -1));
    if (dims.length !== 4 && dims.length !== 2 && dims.length !== 1) {
      throw new UnsupportedOpError(`${source}: input '${i.name}' has rank ${dims.length} ${fmt(dims)} (sepconv inputs are 4-D NCHW images or 2-D / 1-D tensors)`);
    }
    const shape = resolveInputShape({ source }, { name: i.name! }, dims, options.inputShapes?.[i.name!]);
    const t = b.input(i.name!, shape.length === 4 ? [shape[0], shape[2], shape[3], shape[1]] : shape);
    vals.set(i.name!, { t, shape });
  }
  for (const name of needInits) vals.set(name, { c: decodeTensor(inits.get(name)!, `initializer '${name}'`, source) });

  for (const n of order) {
    const domain = n.domain ?? '';
    if (domain !== '' && domain !== 'ai.onnx') cv.unsupported(n, `op domain '${domain}' (sepconv supports the default ONNX domain)`);
    try {
      if (convertNn(cv, n) || convertElem(cv, n) || convertShape(cv, n) || convertResize(cv, n)) continue;
    } catch (e) {
      // IR shape checks that fail on an imported node: the ONNX model is inconsistent
      if (e instanceof SepconvError && e.code === 'E_SHAPE') throw new FormatError(`${source}: node '${cv.label(n)}' (${n.op_type}): ${e.message}`);
      throw e;
    }
    cv.unsupported(n, 'this op is not supported');
  }

  // Requested outputs keep their ONNX names: an IR tensor held under another name (behind an
  // Identity, a Split piece) is renamed, a graph input / constant / tensor requested twice gets a copy.
  const ir = outputs.map((o) => {
    const v = vals.get(o);
    if (!v) throw new FormatError(`${source}: graph output '${o}' was not produced`);
    const fake: OnnxNodeProto = { name: o, op_type: 'Output', input: [o], output: [] };
    return cv.asTensor(fake, v, o).t;
  });
  const renames = new Map<string, string>();
  const producedBy = new Set(b.nodes.flatMap((n) => n.outputs));
  const outs = outputs.map((o, i) => {
    const t = ir[i];
    if (t === o) return t;
    if (producedBy.has(t) && !renames.has(t) && !ir.includes(o) && ir.filter((u) => u === t).length === 1 && !outputs.includes(t) && !b.constants.has(o)) {
      renames.set(t, o);
      return t;
    }
    return b.node('Reshape', b.freshName(o), [t], { shape: b.shape(t) })[0];
  });
  const built = b.build(outs);
  const rn = (t: string) => renames.get(t) ?? t;
  const graph: Graph = renames.size === 0 ? built : { ...built, outputs: built.outputs.map(rn), nodes: built.nodes.map((n) => ({ ...n, inputs: n.inputs.map(rn), outputs: n.outputs.map(rn) })) };
  return { ...graph, layout: 'NCHW' };
}

/** Reads an ONNX model file (Node path, file: URL, or http(s) URL via fetch) and imports it. */
export async function loadOnnxModel(source: string | URL, options: Omit<OnnxImportOptions, 'source'> = {}): Promise<Graph> {
  const isUrl = source instanceof URL || /^[a-z][a-z0-9+.-]*:\/\//i.test(source);
  const url = isUrl ? new URL(source) : null;
  const isNode = typeof process !== 'undefined' && !!process.versions?.node;
  const name = url ? url.href : String(source);
  let bytes: Uint8Array;
  if (!url || (url.protocol === 'file:' && isNode)) {
    const { readFile } = await import('node:fs/promises');
    try {
      bytes = await readFile(url ?? (source as string));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new SepconvError(`cannot read model '${name}': ${code === 'ENOENT' ? 'no such file' : (e as Error).message}`, 'E_MODEL_NOT_FOUND');
    }
  } else {
    let res: Response;
    try {
      res = await fetch(url);
    } catch (e) {
      throw new SepconvError(`cannot fetch model ${name}: ${(e as Error).message}`, 'E_MODEL_NOT_FOUND');
    }
    if (!res.ok) throw new SepconvError(`cannot fetch model ${name}: HTTP ${res.status} ${res.statusText}`, 'E_MODEL_NOT_FOUND');
    bytes = new Uint8Array(await res.arrayBuffer());
  }
  return importOnnx(bytes, { ...options, source: name });
}
