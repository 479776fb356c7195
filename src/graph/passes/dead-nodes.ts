import type { Graph } from '../ir.js';

/** Drops nodes none of whose outputs reach a graph output or a kept tensor, and unread constants. */
export function removeDeadNodes(graph: Graph, keep: readonly string[] = []): Graph {
  const live = new Set<string>([...graph.outputs, ...keep]);
  const nodes = [];
  for (let i = graph.nodes.length - 1; i >= 0; i--) {
    const n = graph.nodes[i];
    if (!n.outputs.some((o) => live.has(o))) continue;
    nodes.push(n);
    for (const t of n.inputs) if (t) live.add(t);
  }
  nodes.reverse();
  const constants = new Map([...graph.constants].filter(([name]) => live.has(name)));
  if (nodes.length === graph.nodes.length && constants.size === graph.constants.size) return graph;
  return { ...graph, nodes, constants };
}
