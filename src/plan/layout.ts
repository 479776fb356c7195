import { BINARY_OPS, isBinaryOp, type Graph, type Node } from '../graph/ir.js';
import { sizeOf } from '../graph/ir.js';
import type { TensorLifetime } from './arena.js';

/**
 * Where every activation tensor lives: its own buffer, or a view into another tensor's storage
 * (a channel slice of a concat buffer written in place by its producer, a Split output, a Flatten).
 * `stride` is the number of floats between consecutive pixels (rows for 2-D tensors); a tensor
 * is contiguous when stride == channels.
 */
export interface TensorLayout {
  name: string;
  shape: number[];
  channels: number;
  stride: number;
  /** Bytes this tensor spans from its start. */
  bytes: number;
  alias?: { of: string; byteOffset: number };
}

/** Producers whose kernels take an output pixel stride, so they can write into a concat slice. */
const STRIDED_WRITERS = new Set([
  'Conv2D', 'DepthwiseConv2D', 'ConvTranspose2D', 'MaxPool', 'AvgPool', ...Object.keys(BINARY_OPS), 'Activation', 'BatchNorm', 'CReLU', 'Resize', 'ChannelShuffle', 'DepthToSpace',
  'GlobalAvgPool', 'FullyConnected', 'Softmax',
]);

/** Elementwise ops whose kernels may run exactly in place (same pointer and stride). */
const IN_PLACE = new Set(['Activation', ...Object.keys(BINARY_OPS), 'BatchNorm']);

const spanBytes = (shape: number[], stride: number): number => {
  const c = shape[shape.length - 1];
  const rows = sizeOf(shape) / c;
  return rows === 0 ? 0 : 4 * ((rows - 1) * stride + c);
};

/**
 * Decides layouts and lifetimes for `nodes` (already in execution order). `keep`: tensors read
 * back after the run (graph outputs), which stay contiguous and alive to the end.
 */
export function planLayouts(graph: Graph, nodes: readonly Node[], shapes: Map<string, number[]>, keep: ReadonlySet<string>): {
  layouts: Map<string, TensorLayout>;
  lifetimes: TensorLifetime[];
} {
  const consumers = new Map<string, number>();
  for (const n of nodes) for (const i of n.inputs) if (i) consumers.set(i, (consumers.get(i) ?? 0) + 1);
  const producer = new Map<string, Node>();
  for (const n of nodes) for (const o of n.outputs) producer.set(o, n);

  const layouts = new Map<string, TensorLayout>();
  const own = (name: string): TensorLayout => {
    const shape = shapes.get(name)!;
    const c = shape[shape.length - 1];
    const l = { name, shape, channels: c, stride: c, bytes: 4 * sizeOf(shape) };
    layouts.set(name, l);
    return l;
  };
  for (const i of graph.inputs) own(i.name);
  for (const n of nodes) for (const o of n.outputs) own(o);

  // Split: zero-copy channel slices of the input. Flatten of a contiguous tensor: same bytes.
  // Concat: producers that write strided outputs write straight into their slice.
  for (const n of nodes) {
    if (n.op === 'Split') {
      const x = layouts.get(n.inputs[0])!;
      let off = 0;
      for (const o of n.outputs) {
        const l = layouts.get(o)!;
        if (keep.has(o)) { // read back after the run: keep it contiguous (copied by the lowering)
          off += l.channels;
          continue;
        }
        l.alias = { of: x.name, byteOffset: 4 * off };
        l.stride = x.stride;
        l.bytes = spanBytes(l.shape, l.stride);
        off += l.channels;
      }
    } else if (n.op === 'Flatten' || n.op === 'Reshape') {
      const x = layouts.get(n.inputs[0])!;
      const l = layouts.get(n.outputs[0])!;
      if (x.stride === x.channels && !keep.has(l.name)) l.alias = { of: x.name, byteOffset: 0 };
    }
  }
  // Concat elimination (after Split views are known, since a view cannot be redirected).
  for (const n of nodes) {
    if (n.op !== 'Concat') continue;
    const y = layouts.get(n.outputs[0])!;
    // Each input whose producer can write strided output straight into its slice does so;
    // the others (graph inputs, views, tensors read elsewhere too) are copied by the lowering.
    const distinct = new Set(n.inputs).size === n.inputs.length;
    let off = 0;
    for (const t of n.inputs) {
      const p = producer.get(t);
      const l = layouts.get(t)!;
      if (distinct && p && STRIDED_WRITERS.has(p.op) && consumers.get(t) === 1 && !keep.has(t) && !l.alias) {
        l.alias = { of: y.name, byteOffset: 4 * off };
        l.stride = y.stride;
        l.bytes = spanBytes(l.shape, l.stride);
      }
      off += l.channels;
    }
    y.alias = undefined;
  }

  // In place: an elementwise op whose (contiguous, same-shape) first input dies here writes over it.
  const lastUse = new Map<string, number>();
  nodes.forEach((n, step) => n.inputs.forEach((i) => i && lastUse.set(i, step)));
  const aliasedBy = new Set([...layouts.values()].filter((l) => l.alias).map((l) => l.alias!.of));
  const inputs = new Set(graph.inputs.map((i) => i.name));
  // Add / Mul may also overwrite a dying same-shape second operand (vbinary allows y == b).
  nodes.forEach((n, step) => {
    if (!IN_PLACE.has(n.op)) return;
    const y = layouts.get(n.outputs[0])!;
    if (y.alias || aliasedBy.has(y.name) || y.stride !== y.channels) return;
    const candidates = isBinaryOp(n.op) && n.op !== 'Prelu' ? n.inputs.slice(0, 2) : n.inputs.slice(0, 1);
    for (const name of candidates) {
      const x = layouts.get(name); // undefined for a constant
      const ok = !!x && lastUse.get(x.name) === step && !keep.has(x.name) && !inputs.has(x.name) && !x.alias && !aliasedBy.has(x.name) &&
        x.stride === x.channels && x.bytes === y.bytes && n.inputs.filter((i) => i === x.name).length === 1;
      if (!ok) continue;
      y.alias = { of: x!.name, byteOffset: 0 };
      aliasedBy.add(x!.name);
      return;
    }
  });

  // Lifetimes in step indices; graph inputs are written before step 0, kept tensors read after the last.
  const first = new Map<string, number>();
  const last = new Map<string, number>();
  for (const i of graph.inputs) first.set(i.name, -1);
  nodes.forEach((n, step) => {
    for (const o of n.outputs) if (!first.has(o)) first.set(o, step);
    for (const i of n.inputs) if (i && layouts.has(i)) last.set(i, step);
  });
  const end = nodes.length;
  const lifetimes: TensorLifetime[] = [];
  for (const l of layouts.values()) {
    const f = first.get(l.name) ?? 0;
    lifetimes.push({
      name: l.name,
      bytes: l.bytes,
      first: f,
      last: keep.has(l.name) ? end : Math.max(last.get(l.name) ?? f, f),
      alias: l.alias,
    });
  }
  return { layouts, lifetimes };
}
