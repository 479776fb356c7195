import { BINARY_OPS, type Graph, type Node, type OpAttrs } from '../ir.js';
import { producers, rebuild, useCounts } from './util.js';

const FUSABLE = new Set(['Conv2D', 'DepthwiseConv2D', 'ConvTranspose2D', 'FullyConnected', ...Object.keys(BINARY_OPS), 'CReLU']);

/**
 * Activation after a producer with a fused epilogue (act 'linear', output read only by the
 * activation) -> the producer computes act itself; the Activation node disappears. Exact for
 * every producer: the epilogue applies act last (after bias and residual), and for CReLU
 * act(concat(x, -x)) = concat(act(x), act(-x)), which is CReLU with that act.
 */
export function fuseActivation(graph: Graph, keep: readonly string[] = []): Graph {
  const uses = useCounts(graph, keep);
  const prod = producers(graph);
  const replaced = new Map<Node, Node>();
  const dropped = new Set<Node>();
  for (const a of graph.nodes) {
    if (a.op !== 'Activation') continue;
    const p = prod.get(a.inputs[0]);
    if (!p || !FUSABLE.has(p.op) || replaced.has(p) || uses.get(a.inputs[0]) !== 1) continue;
    const attrs = p.attrs as { act: string };
    if (attrs.act !== 'linear') continue;
    replaced.set(p, { ...p, attrs: { ...p.attrs, act: (a.attrs as OpAttrs['Activation']).act } as never, outputs: [a.outputs[0]] });
    dropped.add(a);
  }
  if (dropped.size === 0) return graph;
  return rebuild(graph, graph.nodes.filter((n) => !dropped.has(n)).map((n) => replaced.get(n) ?? n));
}
