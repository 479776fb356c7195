import type { Graph, Node, OpAttrs } from '../ir.js';
import { producers, rebuild, useCounts } from './util.js';

const sameShape = (a?: number[], b?: number[]) => !!a && !!b && a.length === b.length && a.every((d, i) => d === b[i]);

/**
 * Add(a, b) where one operand comes from a 1x1 stride-1 unpadded Conv2D with linear activation
 * and no other reader, and the other operand has the same shape -> that Conv2D with the other
 * operand as its residual input (added before the activation) and the Add's activation.
 * This is MobileNetV2/V3's linear-bottleneck residual and ShuffleNet v1's relu(branch + shortcut).
 */
export function fuseResidual(graph: Graph, shapes: Map<string, number[]>, keep: readonly string[] = []): Graph {
  const uses = useCounts(graph, keep);
  const prod = producers(graph);
  const replaced = new Map<Node, Node>();
  const dropped = new Set<Node>();
  const index = new Map(graph.nodes.map((n, i) => [n, i]));
  for (const add of graph.nodes) {
    if (add.op !== 'Add') continue;
    for (const [ci, ri] of [[0, 1], [1, 0]]) {
      const convOut = add.inputs[ci];
      const res = add.inputs[ri];
      const p = prod.get(convOut);
      if (!p || p.op !== 'Conv2D' || replaced.has(p) || uses.get(convOut) !== 1 || graph.constants.has(res)) continue;
      const a = p.attrs as OpAttrs['Conv2D'];
      const pointwise = a.kernel[0] === 1 && a.kernel[1] === 1 && a.strides.every((s) => s === 1) && a.pads.every((q) => q === 0);
      if (!pointwise || a.act !== 'linear' || p.inputs[3] || !sameShape(shapes.get(convOut), shapes.get(res))) continue;
      // The residual must exist when the conv runs: produced before it (or a graph input).
      const rp = prod.get(res);
      if (rp && index.get(rp)! > index.get(p)!) continue;
      replaced.set(p, { ...p, inputs: [p.inputs[0], p.inputs[1], p.inputs[2] ?? '', res], outputs: [add.outputs[0]], attrs: { ...a, act: (add.attrs as OpAttrs['Add']).act } });
      dropped.add(add);
      break;
    }
  }
  if (dropped.size === 0) return graph;
  return rebuild(graph, graph.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n));
}
