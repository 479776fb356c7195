import type { Constant, Graph, Node } from '../ir.js';

/** How many nodes read each tensor, plus one for every graph output or kept tensor. */
export function useCounts(graph: Graph, keep: readonly string[] = []): Map<string, number> {
  const uses = new Map<string, number>();
  const bump = (t: string) => uses.set(t, (uses.get(t) ?? 0) + 1);
  for (const n of graph.nodes) for (const i of n.inputs) if (i) bump(i);
  for (const o of graph.outputs) bump(o);
  for (const k of keep) bump(k);
  return uses;
}

export function producers(graph: Graph): Map<string, Node> {
  const m = new Map<string, Node>();
  for (const n of graph.nodes) for (const o of n.outputs) m.set(o, n);
  return m;
}

/** A copy of `graph` with some nodes replaced/removed and constants added (inputs untouched). */
export function rebuild(graph: Graph, nodes: Node[], newConstants: Constant[] = []): Graph {
  const constants = new Map(graph.constants);
  for (const c of newConstants) constants.set(c.name, c);
  return { ...graph, nodes, constants };
}

/** A constant name not used yet in the graph. */
export function freshName(graph: Graph, base: string, taken: Set<string>): string {
  let name = base;
  for (let i = 1; graph.constants.has(name) || taken.has(name); i++) name = `${base}_${i}`;
  taken.add(name);
  return name;
}

/** Ops whose kernels have a bias and a fused epilogue: BatchNorm and constant adds fold into them. */
export const WITH_BIAS = new Set(['Conv2D', 'DepthwiseConv2D', 'ConvTranspose2D', 'FullyConnected']);

/**
 * The producer of `t` when weights/bias may be folded into it: one of WITH_BIAS, linear
 * activation, no fused residual, and `t` read by exactly one node (and not kept).
 */
export function foldableProducer(t: string, prod: Map<string, Node>, uses: Map<string, number>): Node | undefined {
  const p = prod.get(t);
  if (!p || !WITH_BIAS.has(p.op) || uses.get(t) !== 1) return undefined;
  if ((p.attrs as { act: string }).act !== 'linear' || (p.op === 'Conv2D' && p.inputs[3])) return undefined;
  return p;
}
